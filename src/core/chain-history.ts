/**
 * A chain-sized demo history — by default 50 warehouses × 2,000 products × 40 locations, 10 million events over
 * a year — generated as a stream in time order, deterministic for a seed. Pure: the caller gives the seed, the
 * start (a local midnight) and the zone offset; nothing here reads a clock.
 *
 * Nothing grows with the number of events: the stock count is one Int32Array per warehouse indexed by
 * product × location, and only the current hour's planned events are held. That is what lets `npm start --
 * --demo chain` publish ten million events without holding them, and regenerate a prefix quickly to continue an
 * interrupted fill.
 *
 * The shape is the small demo's (demo-history.ts): its daily and weekly rhythm, deliveries in the morning of
 * what was ordered the evening before, shelves refilled from the back room, spot checks, write-offs, and a few
 * products per warehouse whose supplier goes quiet near the end. What differs is forced by the size: ten
 * million events spread over 90,000 warehouse × product pairs is about one event per pair every three days,
 * so most products are slow movers that live on their shelf, are ordered in whole cases for weeks ahead, and
 * rare events (counts, write-offs) are drawn per warehouse rather than per product.
 *
 * The number of events is exact: each hour's sales fill what its share of the year's rhythm leaves after the
 * hour's deliveries, refills, counts and write-offs, so the history ends with exactly `events` events at its
 * end. Every event goes through the stock rule (stock-rule.ts) and is trimmed to the stock there is, so no
 * location goes below zero.
 */
import {
  DEMO_WAREHOUSES,
  createRng,
  poisson,
  type DemoEvent,
  type DemoProduct,
  type Rng,
} from './demo-history';
import type { SimulatorState, SimulatorWorld } from './demo-history';
import { upperBound } from './upper-bound';
import { STOCK_EVENT_TYPES, UNASSIGNED_LOCATION, type StockEvent, type StockEventType } from './events';
import { applyStockEffect, stockEffectSlots, stockEffects } from './stock-rule';

export interface ChainProfile {
  warehouses: number;
  products: number;
  /** Named locations per warehouse besides the unassigned pool: four in five are shelves, the rest back room. */
  locations: number;
  /** Exactly this many events. */
  events: number;
  days: number;
}

export const CHAIN_PROFILE: Readonly<ChainProfile> = {
  warehouses: 50,
  products: 2000,
  locations: 40,
  events: 10_000_000,
  days: 365,
};

export interface ChainHistoryOptions {
  seed: number;
  /** A local midnight, ms since epoch: the opening stocktake starts then. */
  startMs: number;
  /** Minutes to add to UTC for the local calendar, a multiple of 15. */
  utcOffsetMinutes: number;
  profile?: Readonly<ChainProfile>;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** The opening stocktake takes the first night; the shops open after it. */
const OPENING_HOURS = 6;

// What share of a warehouse's events each rare kind is drawn at; sales, refills and deliveries follow from
// demand and stock. The full chain comes out at about 85% sales, 8% shelf refills, 5% deliveries, 2% counts
// (the opening stocktake included) and 0.5% write-offs.
const COUNT_SHARE = 0.012;
const ROTTEN_SHARE = 0.004;
const DAMAGED_SHARE = 0.001;
/** Share of events expected to be sales, to turn the event budget into units of demand. */
const SALES_SHARE = 0.85;

/** A product selling less than this per day lives on its shelf only: a case fits there. */
const SHELF_ONLY_UNITS = 1.5;
/** A back-stocked product's shelf holds this many days of sales, refilled when below half. */
const SHELF_DAYS = 4;
/** An order covers this many days beyond the next delivery, in whole cases. */
const ORDER_DAYS = 21;
/**
 * Stock is reordered before it falls below this many units, so the default low-stock threshold (10) is
 * crossed by the products whose supplier stops, not by every slow mover.
 */
const MIN_STOCK = 12;
/** A sale that finds an empty shelf picks another product, this many times, before it becomes a delivery. */
const SALE_PICKS = 20;

// ---------------------------------------------------------------------------------------------------------
// Names

interface Category {
  name: string;
  variants: readonly string[];
  maxPerSale: number;
  caseQuantity: number;
  perishable: boolean;
}

const CATEGORIES: readonly Category[] = [
  c('Apples', 'Gala Fuji Braeburn Granny_Smith Pink_Lady Jazz Honeycrisp Cox', 6, 48, true),
  c('Bananas', 'Cavendish Organic Baby Plantain', 7, 40, true),
  c('Oranges', 'Navel Valencia Blood Seville Mandarin', 6, 48, true),
  c('Pears', 'Conference Williams Comice Rocha', 4, 36, true),
  c('Berries', 'Strawberry Blueberry Raspberry Blackberry', 3, 24, true),
  c('Tomatoes', 'Cherry Plum Beef Vine Heirloom', 5, 30, true),
  c('Potatoes', 'Maris_Piper King_Edward Baby Sweet Red', 3, 20, false),
  c('Onions', 'Brown Red White Spring Shallot', 3, 25, false),
  c('Carrots', 'Loose Bunched Baby Organic', 3, 24, true),
  c('Lettuce', 'Iceberg Romaine Little_Gem Butterhead Mixed_Leaf', 2, 12, true),
  c('Milk', 'Whole Semi_Skimmed Skimmed Oat Almond Soy Lactose_Free Goat', 4, 24, true),
  c('Butter', 'Salted Unsalted Spreadable Organic', 2, 20, false),
  c('Eggs', 'Free_Range_6 Free_Range_12 Organic_6 Barn_12', 2, 18, false),
  c('Cheese', 'Cheddar Gouda Brie Mozzarella Parmesan Edam Feta Stilton', 2, 12, false),
  c('Yogurt', 'Greek Natural Strawberry Vanilla Peach Skyr', 6, 24, true),
  c('Bread', 'White Wholemeal Sourdough Rye Seeded Baguette Brioche', 2, 16, true),
  c('Rice', 'Basmati Jasmine Long_Grain Arborio Brown Wild', 2, 20, false),
  c('Pasta', 'Spaghetti Penne Fusilli Farfalle Linguine Lasagne Tagliatelle', 4, 24, false),
  c('Flour', 'Plain Self_Raising Wholemeal Strong Spelt', 2, 10, false),
  c('Sugar', 'White Brown Icing Caster Demerara', 2, 10, false),
  c('Oil', 'Olive Sunflower Rapeseed Coconut Sesame', 2, 12, false),
  c('Coffee', 'Espresso Filter Instant Decaf Beans_Dark Beans_Medium', 2, 12, false),
  c('Tea', 'English_Breakfast Earl_Grey Green Peppermint Chamomile Rooibos', 2, 12, false),
  c('Juice', 'Orange Apple Pineapple Grapefruit Cranberry Multivitamin', 3, 12, true),
  c('Chocolate', 'Milk Dark White Hazelnut Mint Orange', 4, 24, false),
  c('Biscuits', 'Digestive Shortbread Oat Ginger Chocolate_Chip Custard_Cream', 3, 24, false),
  c('Cereal', 'Cornflakes Muesli Granola Porridge_Oats Bran_Flakes', 2, 14, false),
  c('Soup', 'Tomato Chicken Vegetable Mushroom Lentil Minestrone', 4, 24, false),
  c('Beans', 'Baked Kidney Black Chickpeas Butter Cannellini', 4, 24, false),
  c('Chicken', 'Breast Thighs Wings Whole Drumsticks', 2, 12, true),
  c('Beef', 'Mince Steak Roast Burgers', 2, 10, true),
  c('Fish', 'Salmon Cod Haddock Tuna Mackerel', 2, 10, true),
  c('Water', 'Still Sparkling Flavoured', 6, 24, false),
  c('Soda', 'Cola Lemonade Ginger_Ale Tonic Orange', 6, 24, false),
  c('Crisps', 'Salted Cheese_Onion Salt_Vinegar Paprika Sour_Cream', 4, 24, false),
  c('Nuts', 'Almonds Cashews Peanuts Walnuts Pistachios Mixed', 2, 12, false),
  c('Jam', 'Strawberry Raspberry Apricot Marmalade Blackcurrant', 2, 12, false),
  c('Honey', 'Clear Set Manuka Acacia', 2, 12, false),
  c('Soap', 'Bar Liquid Sensitive Lavender', 3, 24, false),
  c('Shampoo', 'Normal Dry Oily Anti_Dandruff Kids', 2, 12, false),
  c('Detergent', 'Liquid Powder Pods Sensitive Colour', 2, 8, false),
  c('Tissues', 'Box Pocket Balsam Extra_Soft', 4, 24, false),
];

function c(
  name: string,
  variants: string,
  maxPerSale: number,
  caseQuantity: number,
  perishable: boolean,
): Category {
  return { name, variants: variants.split(' '), maxPerSale, caseQuantity, perishable };
}

/** Category, variant and catalogue number, e.g. `Apples_Gala_0001`; the same for every seed. */
function chainProductName(index: number, products: number): string {
  const category = CATEGORIES[index % CATEGORIES.length]!;
  const variant = category.variants[Math.floor(index / CATEGORIES.length) % category.variants.length]!;
  const digits = Math.max(4, String(products).length);
  return `${category.name}_${variant}_${String(index + 1).padStart(digits, '0')}`;
}

/** Two-digit store numbers from 11, so that the small demo's 46 and 52 (and their people) are among them. */
function chainWarehouseId(index: number): string {
  return String(11 + index);
}

/** Aisle and bay: `A01-01` … for shelves, `B01-01` … for the back room, four bays to an aisle. */
export function chainLocationNames(locations: number): string[] {
  const back = Math.max(1, Math.round(locations / 5));
  const shelves = Math.max(1, locations - back);
  const name = (prefix: string, i: number): string =>
    `${prefix}${String(Math.floor(i / 4) + 1).padStart(2, '0')}-${String((i % 4) + 1).padStart(2, '0')}`;
  return [
    ...Array.from({ length: shelves }, (_, i) => name('A', i)),
    ...Array.from({ length: back }, (_, i) => name('B', i)),
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Event ids

/**
 * Bumped whenever the same seed and profile would generate different events, so that a fill begun by an
 * older generator is not continued with a newer one's events.
 */
const GENERATOR_VERSION = 1;

/** What a chain's event ids say about it: enough to continue a fill from the stream alone. */
export interface ChainIdentity {
  /** 40 bits of the seed, the profile and the generator version. */
  fingerprint: number;
  startMs: number;
  utcOffsetMinutes: number;
}

export function chainFingerprint(seed: number, profile: Readonly<ChainProfile>): number {
  let h = mix32(GENERATOR_VERSION ^ 0x5bd1e995);
  for (const n of [
    seed,
    profile.warehouses,
    profile.products,
    profile.locations,
    profile.events,
    profile.days,
  ]) {
    h = mix32(h ^ (n >>> 0));
    h = mix32(h ^ Math.floor(n / 2 ** 32));
  }
  return (h >>> 0) * 256 + (mix32(h ^ 0x9e3779b9) & 0xff);
}

/**
 * The id of the chain's event number `index` (from 0): shaped like a UUID (version 8, the custom one) so it
 * passes wherever an id is expected, and readable back: `SSSSSSSS-FFFF-8FFF-8FFF-IIIIIIIIIIII` — the start in
 * quarter hours with the zone offset, the fingerprint, and the index. The same event always gets the same id,
 * so a re-sent one is dropped by the server's duplicate window and by every reader's at-most-once rule.
 */
export function chainEventId(identity: ChainIdentity, index: number): string {
  const quarters = Math.round(identity.startMs / (15 * MINUTE_MS));
  const offset = Math.round(identity.utcOffsetMinutes / 15) + 64;
  const start = hex(quarters * 128 + offset, 8);
  const f = hex(identity.fingerprint, 10);
  return `${start}-${f.slice(0, 4)}-8${f.slice(4, 7)}-8${f.slice(7, 10)}-${hex(index, 12)}`;
}

const CHAIN_ID = /^([0-9a-f]{8})-([0-9a-f]{4})-8([0-9a-f]{3})-8([0-9a-f]{3})-([0-9a-f]{12})$/;

/** The identity and index behind a chain event id; undefined for any other id. */
export function parseChainEventId(id: string): (ChainIdentity & { index: number }) | undefined {
  const m = CHAIN_ID.exec(id);
  if (!m) return undefined;
  const start = parseInt(m[1]!, 16);
  const offset = (start % 128) - 64;
  return {
    startMs: Math.floor(start / 128) * 15 * MINUTE_MS,
    utcOffsetMinutes: offset * 15,
    fingerprint: parseInt(`${m[2]!}${m[3]!}${m[4]!}`, 16),
    index: parseInt(m[5]!, 16),
  };
}

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0').slice(-digits);
}

/** murmur3's finaliser: spreads every input bit over the output. */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The local midnight `days` days before the local day of `nowMs`: where a fresh chain starts. */
export function chainStartMs(nowMs: number, utcOffsetMinutes: number, days: number): number {
  const offsetMs = utcOffsetMinutes * MINUTE_MS;
  return Math.floor((nowMs + offsetMs) / DAY_MS) * DAY_MS - offsetMs - days * DAY_MS;
}

// ---------------------------------------------------------------------------------------------------------
// The chain

interface Warehouse {
  id: string;
  /** Delivered on weekdays only, busy through the working day (the small demo's 52); the others are shops. */
  depot: boolean;
  scale: number;
  hourWeights: readonly number[];
  dayFactors: readonly number[];
  deliveryDays: readonly boolean[];
  /** Events of a whole history expected here per average day, before the rare kinds are drawn from it. */
  eventsPerDay: number;
  carried: Uint8Array;
  /** Location index per product (0 = the unassigned pool); the same twice for a product kept in one place. */
  shelf: Uint8Array;
  back: Uint8Array;
  dailyUnits: Float64Array;
  shelfCapacity: Int32Array;
  /** Cumulative popularity over the products, 0 for those not carried: a sale picks by binary search. */
  cumulative: Float64Array;
  /** Stock per product × location (location 0 = the pool). */
  stock: Int32Array;
  totals: Int32Array;
  /** Units ordered, not yet delivered. */
  ordered: Int32Array;
  /** Sales never take a product's total below this (a product whose supplier stopped ends low, not out). */
  keep: Int32Array;
  /** Products whose supplier stops delivering, and from when. */
  stopping: { product: number; fromMs: number }[];
}

/** A planned event's type is kept as its index in STOCK_EVENT_TYPES, in a byte. */
const KIND = Object.fromEntries(STOCK_EVENT_TYPES.map((type, i) => [type, i])) as Record<
  StockEventType,
  number
>;
/** A planned sale whose product is chosen when it happens, against the stock there is then. */
const ANY_PRODUCT = -1;

/**
 * The chain's history as an iterator of events in time order. `quantity` and `simulatorState` read the stock
 * after the events handed out so far.
 */
export class ChainHistory implements IterableIterator<DemoEvent> {
  readonly profile: Readonly<ChainProfile>;
  readonly startMs: number;
  /** The end of the history: the local midnight `days` after the start. */
  readonly endMs: number;
  readonly utcOffsetMinutes: number;
  readonly identity: ChainIdentity;
  readonly warehouseIds: readonly string[];
  readonly productNames: readonly string[];
  /** Index 0 is the unassigned pool `-`. */
  readonly locationNames: readonly string[];
  readonly products: readonly DemoProduct[];

  private readonly rng: Rng;
  private readonly warehouses: Warehouse[];
  private readonly locationIndex: Map<string, number>;
  private readonly warehouseIndex: Map<string, number>;
  private readonly productIndex: Map<string, number>;
  private readonly shelfLocations: number;
  private readonly openingEvents: number;
  private readonly regularHours: number;
  /** Sum of every warehouse's demand weight over every regular hour: the year's rhythm in one number. */
  private readonly activityTotal: number;
  private readonly effects = stockEffectSlots();

  private emittedCount = 0;
  /** Opening stocktake: next warehouse, product and which of its two places. */
  private readonly opening = { w: 0, p: 0, second: false, done: false };
  private activitySoFar = 0;
  /** Regular-hour events other than sales so far: deliveries, refills, counts, write-offs. */
  private operations = 0;
  private hour = 0;
  /** The planned events of the current hour, as parallel arrays, and the order to commit them in. */
  private readonly plan = new Plan(1024);
  private cursor = 0;
  /** Scratch: each warehouse's demand weight in one hour, then their running sum to pick from. */
  private readonly hourActivity: Float64Array;

  constructor(options: ChainHistoryOptions) {
    const profile = options.profile ?? CHAIN_PROFILE;
    const problem = chainProfileProblem(profile);
    if (problem !== undefined) throw new RangeError(problem);
    this.profile = profile;
    this.startMs = options.startMs;
    this.utcOffsetMinutes = options.utcOffsetMinutes;
    this.endMs = options.startMs + profile.days * DAY_MS;
    this.identity = {
      fingerprint: chainFingerprint(options.seed, profile),
      startMs: options.startMs,
      utcOffsetMinutes: options.utcOffsetMinutes,
    };
    this.rng = createRng(options.seed);
    this.warehouseIds = Array.from({ length: profile.warehouses }, (_, i) => chainWarehouseId(i));
    this.productNames = Array.from({ length: profile.products }, (_, i) =>
      chainProductName(i, profile.products),
    );
    const named = chainLocationNames(profile.locations);
    this.shelfLocations = named.filter((n) => n.startsWith('A')).length;
    this.locationNames = [UNASSIGNED_LOCATION, ...named];
    this.locationIndex = new Map(this.locationNames.map((n, i) => [n, i]));
    this.warehouseIndex = new Map(this.warehouseIds.map((id, i) => [id, i]));
    this.productIndex = new Map(this.productNames.map((name, i) => [name, i]));
    this.regularHours = profile.days * 24 - OPENING_HOURS;
    this.hourActivity = new Float64Array(profile.warehouses);

    const rng = this.rng;
    // Popularity: a long tail over a shuffled catalogue, so that a few hundred products make most sales and
    // every product still sells now and then.
    const rank = Array.from({ length: profile.products }, (_, i) => i);
    for (let i = rank.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [rank[i], rank[j]] = [rank[j]!, rank[i]!];
    }
    const popularity = new Float64Array(profile.products);
    const rankOf = new Int32Array(profile.products);
    rank.forEach((product, r) => {
      popularity[product] = 1 / (r + 20);
      rankOf[product] = r;
    });
    const categories = this.productNames.map((_, i) => CATEGORIES[i % CATEGORIES.length]!);
    const caseQuantity = categories.map((cat) => cat.caseQuantity * (rng() < 0.3 ? 2 : 1));

    this.warehouses = this.warehouseIds.map((id, i) => {
      // Every fifth a depot (52 among them, as in the small demo), the rest shops of different sizes.
      const depot = i % 5 === 1;
      const template = DEMO_WAREHOUSES[depot ? 1 : 0]!;
      const deliveryDays = Array.from({ length: 7 }, (_, d) => template.deliveryDays.includes(d));
      return {
        id,
        depot,
        scale: 0.5 + rng(),
        hourWeights: normalised(template.hourWeights),
        dayFactors: template.dayFactors.map((f) => f * (0.95 + rng() * 0.1)),
        deliveryDays,
        eventsPerDay: 0,
        carried: new Uint8Array(profile.products),
        shelf: new Uint8Array(profile.products),
        back: new Uint8Array(profile.products),
        dailyUnits: new Float64Array(profile.products),
        shelfCapacity: new Int32Array(profile.products),
        cumulative: new Float64Array(profile.products),
        stock: new Int32Array(profile.products * this.locationNames.length),
        totals: new Int32Array(profile.products),
        ordered: new Int32Array(profile.products),
        keep: new Int32Array(profile.products),
        stopping: [],
      };
    });

    // The rhythm decides how the events spread over warehouses and hours.
    const activity = new Float64Array(profile.warehouses);
    let activityTotal = 0;
    for (let h = 0; h < this.regularHours; h++) {
      this.activityAt(h, this.hourActivity);
      for (let w = 0; w < profile.warehouses; w++) activity[w]! += this.hourActivity[w]!;
    }
    for (const a of activity) activityTotal += a;
    this.activityTotal = activityTotal;

    // Assortment: most products everywhere, the best sellers always; a bigger shop carries more.
    for (const warehouse of this.warehouses) {
      const share = Math.min(0.98, 0.75 + warehouse.scale * 0.15);
      for (let p = 0; p < profile.products; p++) {
        warehouse.carried[p] = rankOf[p]! < profile.products * 0.05 || rng() < share ? 1 : 0;
      }
    }
    // The events left for regular hours, to turn into units of demand; the opening count depends on which
    // products live in one place, which depends on demand: estimate with every product counted twice.
    const carriedPairs = this.warehouses.reduce((n, w) => n + w.carried.reduce((a, b) => a + b, 0), 0);
    const regularEstimate = Math.max(1, profile.events - 2 * carriedPairs);
    let openingEvents = 0;
    this.warehouses.forEach((warehouse, w) => {
      warehouse.eventsPerDay = (regularEstimate * activity[w]!) / activityTotal / profile.days;
      const salesPerDay = warehouse.eventsPerDay * SALES_SHARE;
      let carriedPopularity = 0;
      for (let p = 0; p < profile.products; p++) {
        if (warehouse.carried[p]) carriedPopularity += popularity[p]!;
      }
      let cumulative = 0;
      for (let p = 0; p < profile.products; p++) {
        if (warehouse.carried[p]) {
          cumulative += popularity[p]!;
          const category = categories[p]!;
          const units =
            ((salesPerDay * popularity[p]!) / carriedPopularity) * ((1 + category.maxPerSale) / 2);
          warehouse.dailyUnits[p] = units;
          const facing = Math.max(6, 2 * category.maxPerSale);
          warehouse.shelfCapacity[p] = Math.max(facing, Math.ceil(units * SHELF_DAYS));
          if (warehouse.depot && rng() < 0.01) {
            // Kept without a location, in the warehouse's pool, as the small demo's depot keeps coffee and tea.
            warehouse.shelf[p] = 0;
            warehouse.back[p] = 0;
          } else {
            warehouse.shelf[p] = 1 + Math.floor(rng() * this.shelfLocations);
            warehouse.back[p] =
              units < SHELF_ONLY_UNITS
                ? warehouse.shelf[p]!
                : 1 +
                  this.shelfLocations +
                  Math.floor(rng() * (this.locationNames.length - 1 - this.shelfLocations));
          }
          openingEvents += warehouse.shelf[p] === warehouse.back[p] ? 1 : 2;
        }
        warehouse.cumulative[p] = cumulative;
      }
      // A few good sellers whose supplier goes quiet in the last days, so that procurement has alerts to show:
      // the first runs out, the others end low.
      if (profile.days >= 7) {
        const candidates = rank.slice(0, Math.max(3, Math.floor(profile.products * 0.1)));
        while (warehouse.stopping.length < Math.min(3, candidates.length)) {
          const product = candidates[Math.floor(rng() * candidates.length)]!;
          if (!warehouse.carried[product] || warehouse.stopping.some((s) => s.product === product)) continue;
          const fromMs = this.endMs - (3.5 + rng() * 1.5) * DAY_MS;
          if (warehouse.stopping.length > 0) warehouse.keep[product] = 2 + Math.floor(rng() * 7);
          warehouse.stopping.push({ product, fromMs });
        }
      }
    });
    this.openingEvents = Math.min(openingEvents, profile.events);

    this.products = this.productNames.map((name, p) => {
      const category = categories[p]!;
      let units = 0;
      for (const w of this.warehouses) units += w.dailyUnits[p]! / w.scale;
      return {
        name,
        unitsPerDay: units / this.warehouses.length,
        maxPerSale: category.maxPerSale,
        caseQuantity: caseQuantity[p]!,
        perishable: category.perishable,
      };
    });
  }

  [Symbol.iterator](): this {
    return this;
  }

  /** Events handed out (or skipped) so far; the next one's index. */
  get emitted(): number {
    return this.emittedCount;
  }

  next(): IteratorResult<DemoEvent, undefined> {
    const item = this.advance();
    return item === undefined ? { done: true, value: undefined } : { done: false, value: item };
  }

  /** Moves past the next `count` events (to continue an interrupted fill); returns how many there were. */
  skip(count: number): number {
    let skipped = 0;
    while (skipped < count && this.advance() !== undefined) skipped++;
    return skipped;
  }

  /** Units of a product at a location after the events so far (0 for names the chain does not use). */
  quantity(warehouse: string, product: string, location: string): number {
    const w = this.warehouseIndex.get(warehouse);
    const p = this.productIndex.get(product);
    const l = this.locationIndex.get(location);
    if (w === undefined || p === undefined || l === undefined) return 0;
    return this.warehouses[w]!.stock[p * this.locationNames.length + l]!;
  }

  /** Every location holding something other than 0, for comparing with a fold. */
  *stockCells(): Generator<{ warehouse: string; product: string; location: string; quantity: number }> {
    const width = this.locationNames.length;
    for (const warehouse of this.warehouses) {
      for (let cell = 0; cell < warehouse.stock.length; cell++) {
        const quantity = warehouse.stock[cell]!;
        if (quantity === 0) continue;
        yield {
          warehouse: warehouse.id,
          product: this.productNames[Math.floor(cell / width)]!,
          location: this.locationNames[cell % width]!,
          quantity,
        };
      }
    }
  }

  /** What could grow while generating: the stock cells are fixed, the hour's plan bounded by one hour. */
  footprint(): { stockCells: number; planCapacity: number; planned: number } {
    return {
      stockCells: this.warehouses.reduce((n, w) => n + w.stock.length, 0),
      planCapacity: this.plan.capacity,
      planned: this.plan.length,
    };
  }

  /** The live simulator's picture of the chain: its warehouses, products and where each is kept. */
  simulatorWorld(): SimulatorWorld {
    const { warehouseIndex, productIndex } = this;
    return {
      warehouses: this.warehouses.map((w) => ({ id: w.id, scale: w.scale })),
      products: this.products,
      layout: (warehouse, product) => {
        const w = this.warehouses[warehouseIndex.get(warehouse) ?? -1];
        const p = productIndex.get(product);
        if (w === undefined || p === undefined || !w.carried[p]) return undefined;
        return { shelf: this.locationNames[w.shelf[p]!]!, back: this.locationNames[w.back[p]!]! };
      },
    };
  }

  /** The stock after the events so far, in the simulator's shape. */
  simulatorState(): SimulatorState {
    const stock: SimulatorState['stock'] = {};
    for (const { warehouse, product, location, quantity } of this.stockCells()) {
      ((stock[warehouse] ??= {})[product] ??= {})[location] = quantity;
    }
    return { stock };
  }

  // -------------------------------------------------------------------------------------------------------

  /** The next event, or undefined at the end. */
  private advance(): DemoEvent | undefined {
    for (;;) {
      if (this.emittedCount >= this.profile.events) return undefined;
      let item: DemoEvent | undefined;
      if (!this.opening.done) {
        item = this.openingCount();
      } else if (this.cursor < this.plan.length) {
        item = this.commit(this.plan.order[this.cursor++]!);
      } else if (this.hour < this.regularHours) {
        this.planHour(this.hour++);
      } else {
        return undefined;
      }
      if (item !== undefined) {
        this.emittedCount++;
        return item;
      }
    }
  }

  /** The next count of the opening stocktake, spread evenly over its night; undefined when it is over. */
  private openingCount(): DemoEvent | undefined {
    const o = this.opening;
    const { profile, rng } = this;
    for (; o.w < profile.warehouses; o.w++, o.p = 0) {
      const warehouse = this.warehouses[o.w]!;
      for (; o.p < profile.products; o.p++) {
        if (!warehouse.carried[o.p]) continue;
        const p = o.p;
        const shelf = warehouse.shelf[p]!;
        const back = warehouse.back[p]!;
        let location: number;
        let quantity: number;
        const units = warehouse.dailyUnits[p]!;
        if (shelf === back) {
          // One place for everything: a shelf's worth and a few weeks' sales.
          location = shelf;
          quantity = Math.round(warehouse.shelfCapacity[p]! * (0.6 + rng() * 0.4) + units * rng() * 14);
          quantity = Math.max(quantity, MIN_STOCK + Math.floor(rng() * 12));
          o.p++;
        } else if (!o.second) {
          location = shelf;
          quantity = Math.ceil(warehouse.shelfCapacity[p]! * (0.6 + rng() * 0.4));
          o.second = true;
        } else {
          location = back;
          quantity = Math.round(units * (3 + rng() * 10));
          o.second = false;
          o.p++;
        }
        const t =
          this.startMs +
          Math.floor((this.emittedCount * OPENING_HOURS * HOUR_MS) / Math.max(1, this.openingEvents));
        const event: StockEvent = {
          type: 'stock.corrected',
          product_name: this.productNames[p]!,
          location: this.locationNames[location]!,
          quantity,
        };
        this.apply(warehouse, p, event);
        return { warehouse: warehouse.id, event, timestampMs: t };
      }
    }
    o.done = true;
    return undefined;
  }

  /** Each warehouse's demand weight in regular hour `h` (shares of an average day), into `out`. */
  private activityAt(h: number, out: Float64Array): void {
    const localMs = this.startMs + (OPENING_HOURS + h) * HOUR_MS + this.utcOffsetMinutes * MINUTE_MS;
    const day = Math.floor(localMs / DAY_MS);
    const weekday = (((day + 4) % 7) + 7) % 7;
    const hour = Math.floor((localMs - day * DAY_MS) / HOUR_MS);
    for (let w = 0; w < this.warehouses.length; w++) {
      const warehouse = this.warehouses[w]!;
      out[w] = warehouse.scale * warehouse.hourWeights[hour]! * warehouse.dayFactors[weekday]!;
    }
  }

  private planHour(h: number): void {
    const { rng, plan } = this;
    const hourStart = this.startMs + (OPENING_HOURS + h) * HOUR_MS;
    const localMs = hourStart + this.utcOffsetMinutes * MINUTE_MS;
    const day = Math.floor(localMs / DAY_MS);
    const weekday = (((day + 4) % 7) + 7) % 7;
    const hour = Math.floor((localMs - day * DAY_MS) / HOUR_MS);
    const at = (fromMinute: number, toMinute: number): number =>
      hourStart + fromMinute * MINUTE_MS + Math.floor(rng() * (toMinute - fromMinute) * MINUTE_MS);
    plan.clear();
    this.cursor = 0;

    // Orders went out last evening at 20:00, after that hour's sales.
    if (hour === 21) this.order(weekday);

    for (let w = 0; w < this.warehouses.length; w++) {
      const warehouse = this.warehouses[w]!;
      const products = this.profile.products;
      if (hour === 6) {
        // Early-morning spot checks find a little shrinkage now and then.
        for (let n = poisson(rng, warehouse.eventsPerDay * COUNT_SHARE); n > 0; n--) {
          const p = this.pickCarried(warehouse, false);
          if (p < 0) break;
          const location = rng() < 0.7 ? warehouse.shelf[p]! : warehouse.back[p]!;
          const drift = rng() < 0.8 ? -1 - Math.floor(rng() * 3) : 1 + Math.floor(rng() * 2);
          plan.add(at(0, 50), KIND['stock.corrected'], w, p, location, drift);
        }
      } else if (hour === 7 && warehouse.deliveryDays[weekday]) {
        for (let p = 0; p < products; p++) {
          const quantity = warehouse.ordered[p]!;
          if (quantity === 0 || this.supplierStopped(warehouse, p, hourStart)) continue;
          warehouse.ordered[p] = 0;
          plan.add(at(0, 40), KIND['stock.replenished'], w, p, warehouse.back[p]!, quantity);
        }
      } else if (hour === 8 || hour === 13 || hour === 17) {
        // Shelves are refilled from the back room a few times a day.
        const width = this.locationNames.length;
        for (let p = 0; p < products; p++) {
          const shelf = warehouse.shelf[p]!;
          const back = warehouse.back[p]!;
          if (!warehouse.carried[p] || shelf === back) continue;
          const base = p * width;
          if (warehouse.stock[base + shelf]! * 2 >= warehouse.shelfCapacity[p]!) continue;
          if (warehouse.stock[base + back]! <= 0) continue;
          plan.add(at(40, 60), KIND['stock.moved'], w, p, shelf, 0);
        }
      } else if (hour === 10) {
        for (let n = poisson(rng, warehouse.eventsPerDay * DAMAGED_SHARE); n > 0; n--) {
          const p = this.pickCarried(warehouse, false);
          if (p < 0) break;
          const quantity = 1 + Math.floor(rng() * 2 * this.products[p]!.maxPerSale);
          plan.add(at(0, 50), KIND['stock.destroyed'], w, p, warehouse.back[p]!, quantity);
        }
      } else if (hour === 21) {
        for (let n = poisson(rng, warehouse.eventsPerDay * ROTTEN_SHARE); n > 0; n--) {
          const p = this.pickCarried(warehouse, true);
          if (p < 0) break;
          const quantity = 1 + Math.floor(rng() * 6);
          plan.add(at(0, 50), KIND['stock.destroyed'], w, p, warehouse.shelf[p]!, -quantity);
        }
      }
    }

    // Sales follow the rhythm, scaled so that what is left of the year's events, less the deliveries, refills,
    // counts and write-offs expected at the rate seen so far, comes out right; the last hour takes the exact
    // remainder, which is what makes the total exact.
    this.activityAt(h, this.hourActivity);
    let hourTotal = 0;
    for (let w = 0; w < this.hourActivity.length; w++) {
      hourTotal += this.hourActivity[w]!;
      this.hourActivity[w] = hourTotal;
    }
    const activityLeft = this.activityTotal - this.activitySoFar;
    const remaining = this.profile.events - this.emittedCount;
    let sales: number;
    if (h === this.regularHours - 1) {
      sales = remaining - plan.length;
    } else {
      // Before there is a day of history the rate is the intended one, and it weighs one day from then on.
      const day = this.activityTotal / this.profile.days;
      const intended = ((1 - SALES_SHARE) * (this.profile.events - this.openingEvents)) / this.activityTotal;
      const opsRate = (this.operations + intended * day) / (this.activitySoFar + day);
      sales = Math.round((remaining * hourTotal) / activityLeft - opsRate * hourTotal);
    }
    this.activitySoFar += hourTotal;
    for (let i = 0; i < sales && hourTotal > 0; i++) {
      const w = upperBound(this.hourActivity, rng() * hourTotal);
      plan.add(hourStart + Math.floor(rng() * HOUR_MS), KIND['stock.sold'], w, ANY_PRODUCT, 0, 0);
    }
    plan.sort();
  }

  /** Evening orders: what arrives with the next delivery must last until the one after it, with a margin. */
  private order(weekday: number): void {
    for (const warehouse of this.warehouses) {
      let found = 0;
      let cover = 0.1;
      for (let ahead = 1; ahead <= 14 && found < 2; ahead++) {
        const d = (weekday + ahead) % 7;
        if (warehouse.deliveryDays[d]) found++;
        if (found < 2) cover += warehouse.dayFactors[d]!;
      }
      for (let p = 0; p < this.profile.products; p++) {
        if (!warehouse.carried[p] || warehouse.ordered[p]! > 0) continue;
        const units = warehouse.dailyUnits[p]!;
        const reorderAt = Math.max(MIN_STOCK, units * cover * 1.3);
        const inStock = warehouse.totals[p]!;
        if (inStock >= reorderAt) continue;
        const caseQuantity = this.products[p]!.caseQuantity;
        const wanted = reorderAt + units * ORDER_DAYS - inStock;
        warehouse.ordered[p] = Math.ceil(wanted / caseQuantity) * caseQuantity;
      }
    }
  }

  private supplierStopped(warehouse: Warehouse, p: number, nowMs: number): boolean {
    for (const s of warehouse.stopping) if (s.product === p && nowMs >= s.fromMs) return true;
    return false;
  }

  /** A carried product by popularity (perishable only, when asked), or -1 when none turns up. */
  private pickCarried(warehouse: Warehouse, perishable: boolean): number {
    for (let attempt = 0; attempt < 20; attempt++) {
      const p = this.pickByPopularity(warehouse);
      if (p >= 0 && (!perishable || this.products[p]!.perishable)) return p;
    }
    return -1;
  }

  private pickByPopularity(warehouse: Warehouse): number {
    const cumulative = warehouse.cumulative;
    const total = cumulative[cumulative.length - 1]!;
    if (total <= 0) return -1;
    return upperBound(cumulative, this.rng() * total);
  }

  /** The planned event at `i`, trimmed to the stock there is now and applied; undefined if it cannot happen. */
  private commit(i: number): DemoEvent | undefined {
    const plan = this.plan;
    const w = plan.warehouse[i]!;
    const warehouse = this.warehouses[w]!;
    const width = this.locationNames.length;
    const type = STOCK_EVENT_TYPES[plan.kind[i]!]!;
    let p = plan.product[i]!;
    const location = plan.location[i]!;
    const amount = plan.amount[i]!;
    let event: StockEvent;
    switch (type) {
      case 'stock.corrected': {
        const current = warehouse.stock[p * width + location]!;
        const quantity = Math.max(0, current + amount);
        if (quantity === current) return undefined;
        event = {
          type,
          product_name: this.productNames[p]!,
          location: this.locationNames[location]!,
          quantity,
        };
        break;
      }
      case 'stock.replenished':
        event = {
          type,
          product_name: this.productNames[p]!,
          location: this.locationNames[location]!,
          quantity: amount,
        };
        break;
      case 'stock.moved': {
        const shelf = warehouse.stock[p * width + location]!;
        const back = warehouse.back[p]!;
        const capacity = warehouse.shelfCapacity[p]!;
        if (shelf * 2 >= capacity) return undefined;
        const quantity = Math.min(capacity - shelf, warehouse.stock[p * width + back]!);
        if (quantity <= 0) return undefined;
        event = {
          type,
          product_name: this.productNames[p]!,
          from: this.locationNames[back]!,
          to: this.locationNames[location]!,
          quantity,
        };
        break;
      }
      case 'stock.sold': {
        // Customers buy what is there: an empty shelf sends them to another product.
        let quantity = 0;
        for (let attempt = 0; attempt < SALE_PICKS && quantity <= 0; attempt++) {
          p = this.pickByPopularity(warehouse);
          if (p < 0) return undefined;
          const onShelf = warehouse.stock[p * width + warehouse.shelf[p]!]!;
          const spare = warehouse.totals[p]! - warehouse.keep[p]!;
          const wanted = 1 + Math.floor(this.rng() * this.products[p]!.maxPerSale);
          quantity = Math.min(wanted, onShelf, spare);
        }
        if (quantity <= 0) {
          // Everything picked was empty: an urgent delivery of the last one is what happens instead.
          event = {
            type: 'stock.replenished',
            product_name: this.productNames[p]!,
            location: this.locationNames[warehouse.back[p]!]!,
            quantity: this.products[p]!.caseQuantity,
          };
          break;
        }
        event = {
          type,
          product_name: this.productNames[p]!,
          location: this.locationNames[warehouse.shelf[p]!]!,
          quantity,
        };
        break;
      }
      case 'stock.destroyed': {
        const available = warehouse.stock[p * width + location]!;
        const spare = warehouse.totals[p]! - warehouse.keep[p]!;
        const quantity = Math.min(Math.abs(amount), available, spare);
        if (quantity <= 0) return undefined;
        event = {
          type,
          product_name: this.productNames[p]!,
          location: this.locationNames[location]!,
          quantity,
          // The sign of the planned amount says which kind of write-off it is.
          reason: amount < 0 ? 'rotten' : 'damaged',
        };
        break;
      }
      // The chain's plan has no returns: its sales are final, which keeps its sales windows plain sums.
      // Nor mistakes to undo.
      case 'stock.returned':
      case 'stock.reversed':
        return undefined;
      default: {
        const _unhandled: never = type;
        return undefined;
      }
    }
    this.apply(warehouse, p, event);
    if (plan.product[i] !== ANY_PRODUCT) this.operations++;
    return { warehouse: warehouse.id, event, timestampMs: plan.time[i]! };
  }

  /** Applies an event to the count by the rule every view applies (stock-rule.ts). */
  private apply(warehouse: Warehouse, p: number, event: StockEvent): void {
    const base = p * this.locationNames.length;
    const count = stockEffects(event, this.effects);
    for (let i = 0; i < count; i++) {
      const effect = this.effects[i]!;
      const cell = base + this.locationIndex.get(effect.location)!;
      const before = warehouse.stock[cell]!;
      const after = applyStockEffect(before, effect);
      warehouse.stock[cell] = after;
      warehouse.totals[p]! += after - before;
    }
  }
}

/** One hour's planned events as parallel arrays, grown by doubling; bounded by the busiest hour. */
class Plan {
  length = 0;
  time: Float64Array;
  kind: Uint8Array;
  warehouse: Uint16Array;
  product: Int32Array;
  location: Uint8Array;
  amount: Int32Array;
  order: Uint32Array;

  constructor(public capacity: number) {
    this.time = new Float64Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.warehouse = new Uint16Array(capacity);
    this.product = new Int32Array(capacity);
    this.location = new Uint8Array(capacity);
    this.amount = new Int32Array(capacity);
    this.order = new Uint32Array(capacity);
  }

  clear(): void {
    this.length = 0;
  }

  add(
    time: number,
    kind: number,
    warehouse: number,
    product: number,
    location: number,
    amount: number,
  ): void {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    this.time[i] = time;
    this.kind[i] = kind;
    this.warehouse[i] = warehouse;
    this.product[i] = product;
    this.location[i] = location;
    this.amount[i] = amount;
  }

  /** Time order; ties in planning order, so the result does not depend on the sort's stability. */
  sort(): void {
    const order = this.order.subarray(0, this.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    const time = this.time;
    order.sort((a, b) => time[a]! - time[b]! || a - b);
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const time = new Float64Array(capacity);
    const kind = new Uint8Array(capacity);
    const warehouse = new Uint16Array(capacity);
    const product = new Int32Array(capacity);
    const location = new Uint8Array(capacity);
    const amount = new Int32Array(capacity);
    time.set(this.time);
    kind.set(this.kind);
    warehouse.set(this.warehouse);
    product.set(this.product);
    location.set(this.location);
    amount.set(this.amount);
    Object.assign(this, { time, kind, warehouse, product, location, amount, capacity });
    this.order = new Uint32Array(capacity);
  }
}

/** Why a chain of this size cannot be generated, in words for a command line; undefined when it can. */
export function chainProfileProblem(profile: Readonly<ChainProfile>): string | undefined {
  // Two-digit warehouse numbers from 11, location indices in a byte, product numbers in 64-character names.
  const limits: [keyof ChainProfile, number, number][] = [
    ['warehouses', 1, 89],
    ['products', 1, 999_999],
    ['locations', 2, 200],
    ['events', 1, 2 ** 48 - 1],
    ['days', 1, 3650],
  ];
  for (const [name, min, max] of limits) {
    const n = profile[name];
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      return `a chain's ${name} must be a whole number from ${min} to ${max}, not ${n}`;
    }
  }
  return undefined;
}

function normalised(weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / sum);
}
