import { parseStockKey, stockKey } from '../../core/events';
import type { StockLevel } from '../../core/procurement-stock';
import type { StockStatus } from '../../core/thresholds';
import type { KvLevel } from '../../engine/protocol';

export type Agreement =
  | 'agrees'
  | 'projector-behind'
  | 'replay-behind'
  | 'mismatch'
  | 'missing-in-kv'
  | 'missing-in-replay'
  | 'unreadable';

export interface LevelRow {
  key: string;
  warehouse: string;
  product: string;
  kvQuantity: number | null;
  kvSeq: number | null;
  replayQuantity: number | null;
  replaySeq: number | null;
  threshold: number;
  status: StockStatus;
  agreement: Agreement;
}

/**
 * Joins the projector's bucket with the page's own replay. The two advance independently, so a different
 * sequence means one of them is behind; only the same sequence with a different quantity is a real mismatch.
 */
export function levelRows(
  kv: Readonly<Record<string, KvLevel>>,
  replay: readonly StockLevel[],
  judge: (key: string, quantity: number) => { threshold: number; status: StockStatus },
): LevelRow[] {
  const replayByKey = new Map(replay.map((level) => [stockKey(level.warehouse, level.product_name), level]));
  const keys = new Set([...Object.keys(kv), ...replayByKey.keys()]);
  const rows: LevelRow[] = [];
  for (const key of keys) {
    const entry = kv[key];
    const mine = replayByKey.get(key);
    const parsed = entry?.value.ok ? entry.value : null;
    const quantity = parsed?.quantity ?? mine?.quantity ?? 0;
    const [warehouse, product] = parsed
      ? [parsed.warehouse, parsed.product_name]
      : mine
        ? [mine.warehouse, mine.product_name]
        : namesOfKey(key);
    rows.push({
      key,
      warehouse,
      product,
      kvQuantity: parsed?.quantity ?? null,
      kvSeq: parsed?.last_seq ?? null,
      replayQuantity: mine?.quantity ?? null,
      replaySeq: mine?.last_seq ?? null,
      ...judge(key, quantity),
      agreement: agreementOf(entry, parsed, mine),
    });
  }
  return rows;
}

/** An unreadable entry still shows where it is, as far as its key says. */
function namesOfKey(key: string): [string, string] {
  const parsed = parseStockKey(key);
  return parsed.ok ? [parsed.warehouse, parsed.product] : ['', key];
}

function agreementOf(
  entry: KvLevel | undefined,
  parsed: { quantity: number; last_seq: number } | null,
  mine: StockLevel | undefined,
): Agreement {
  if (entry && !parsed) return 'unreadable';
  if (!parsed) return 'missing-in-kv';
  if (!mine) return 'missing-in-replay';
  if (parsed.last_seq < mine.last_seq) return 'projector-behind';
  if (parsed.last_seq > mine.last_seq) return 'replay-behind';
  return parsed.quantity === mine.quantity ? 'agrees' : 'mismatch';
}
