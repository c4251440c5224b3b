/**
 * Twenty writers on twenty connections race on one product with expected-sequence publishes, the way the
 * dashboard's forms publish: read the product (fold its subject), decide with the core, publish expecting the
 * subject's last sequence, and on a conflict read again and retry a bounded number of times.
 *
 * What optimistic concurrency promises, checked from the outside: the successes form one chain (each was
 * decided on the state the previous success left), every refusal is a conflict that says the product changed,
 * and the stream holds exactly the successes, so folding it gives what applying them in order gives.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { decodeStockMessage, type Decoded } from '../../src/core/codec';
import { validateCommand } from '../../src/core/commands';
import { stockSubject, type StockEvent } from '../../src/core/events';
import { applyBatch, initialLedger, ledgerViews, type LedgerState } from '../../src/core/ledger';
import { locationQuantity, lastSubjectSeq } from '../../src/core/warehouse-stock';
import type { NatsConnection } from '../../src/nats/connection';
import { STREAMS } from '../../src/core/resources';
import { publishStockEvent, type PublishResult } from '../../src/nats/publish';
import { replayStream } from '../../src/nats/replay';
import type { StreamMessage } from '../../src/nats/raw-message';
import { readUntil } from '../support/iterate';
import { connectTcp } from '../support/node-nats';
import { uniqueToken } from '../support/unique';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

const WRITERS = 20;
const WAREHOUSE = '46';
const LOCATION = 'A1';

const { clientUrl } = inject('nats');
let writers: NatsConnection[] = [];
let checker: NatsConnection;

beforeAll(async () => {
  // Separate connections, so the race is between clients and not inside one connection's write queue.
  writers = await Promise.all(Array.from({ length: WRITERS }, () => connectTcp(clientUrl, 'admin')));
  checker = await connectTcp(clientUrl, 'admin');
});

afterAll(async () => {
  await Promise.all(writers.map((nc) => nc.close()));
  await checker?.close();
});

/** Every stored message of one subject, oldest first. */
async function readSubject(nc: NatsConnection, subject: string): Promise<StreamMessage[]> {
  const abort = new AbortController();
  try {
    const batches = await readUntil(
      replayStream(nc, {
        stream: STREAMS.warehouse,
        filterSubject: subject,
        fromSeq: 1,
        signal: abort.signal,
      }),
      (b) => b.at(-1)?.caughtUp === true,
    );
    return batches.flatMap((b) => b.messages);
  } finally {
    abort.abort();
  }
}

/** What a writer knows before deciding: the fold of the product's subject, as the dashboard has it. */
async function readProduct(nc: NatsConnection, subject: string): Promise<LedgerState> {
  const messages = await readSubject(nc, subject);
  return applyBatch(
    initialLedger(),
    messages.map((m) => decodeStockMessage(m, TEST_HEADER_NAMES)),
  );
}

interface Attempt {
  writer: number;
  attempt: number;
  /** The subject sequence the writer read and told the server to expect. */
  expected: number;
  id: string;
  timestampMs: number;
  event: StockEvent;
  result: PublishResult;
}

type Outcome =
  | { kind: 'stored'; seq: number }
  | { kind: 'gave-up'; attempts: number }
  | { kind: 'refused'; reason: string };

interface Race {
  subject: string;
  attempts: Attempt[];
  outcomes: Outcome[];
}

/**
 * Runs the race: each writer sells `quantity(writer)` units at LOCATION, at most `maxAttempts` publishes each.
 * All writers read before any of them publishes its first attempt, so the first round is a real collision;
 * later rounds race freely.
 */
async function race(
  product: string,
  quantity: (writer: number) => number,
  maxAttempts: number,
): Promise<Race> {
  const subject = stockSubject(WAREHOUSE, product);
  const attempts: Attempt[] = [];
  let arrived = 0;
  let release!: () => void;
  const startLine = new Promise<void>((resolve) => (release = resolve));
  const arrive = () => {
    arrived += 1;
    if (arrived === WRITERS) release();
    return startLine;
  };

  const writer = async (index: number): Promise<Outcome> => {
    const nc = writers[index]!;
    let firstRound = true;
    // A writer that is refused before its first publish must still let the others start.
    const leaveStartLine = () => {
      if (firstRound) {
        firstRound = false;
        void arrive();
      }
    };
    try {
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const state = await readProduct(nc, subject);
        const decision = validateCommand(
          {
            type: 'stock.sold',
            warehouse: WAREHOUSE,
            product,
            location: LOCATION,
            quantity: String(quantity(index)),
          },
          state.stock,
        );
        if (!decision.ok)
          return { kind: 'refused', reason: decision.errors.map((e) => e.message).join('; ') };
        if (firstRound) {
          firstRound = false;
          await arrive();
        }
        const id = randomUUID();
        const timestampMs = Date.now();
        const result = await publishStockEvent(nc, decision.warehouse, decision.event, {
          names: TEST_HEADER_NAMES,
          user: 'admin',
          id,
          timestampMs,
          expectedLastSubjectSeq: decision.expectedLastSubjectSeq,
        });
        attempts.push({
          writer: index,
          attempt,
          expected: decision.expectedLastSubjectSeq,
          id,
          timestampMs,
          event: decision.event,
          result,
        });
        if (result.ok) return { kind: 'stored', seq: result.seq };
        if (result.kind !== 'conflict') throw new Error(`writer ${index}: ${result.kind}: ${result.message}`);
      }
      return { kind: 'gave-up', attempts: maxAttempts };
    } finally {
      leaveStartLine();
    }
  };

  const outcomes = await Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(i)));
  return { subject, attempts, outcomes };
}

/** Seeds the product with a count and returns that event as the fold will see it. */
async function seed(product: string, quantity: number): Promise<Decoded> {
  const event: StockEvent = { type: 'stock.corrected', product_name: product, location: LOCATION, quantity };
  const id = randomUUID();
  const timestampMs = Date.now();
  const result = await publishStockEvent(checker, WAREHOUSE, event, {
    names: TEST_HEADER_NAMES,
    user: 'admin',
    id,
    timestampMs,
    expectedLastSubjectSeq: 0,
  });
  if (!result.ok) throw new Error(`seed refused: ${result.message}`);
  return {
    kind: 'stock',
    meta: {
      seq: result.seq,
      subject: stockSubject(WAREHOUSE, product),
      warehouse: WAREHOUSE,
      product,
      id,
      timestampMs,
    },
    event,
  };
}

const successes = (r: Race) =>
  r.attempts
    .filter((a): a is Attempt & { result: { ok: true; seq: number } } => a.result.ok)
    .sort((a, b) => a.result.seq - b.result.seq);

/** The checks every race must pass, whatever its timing. */
async function expectOneChainAndNothingElse(r: Race, seeded: Decoded): Promise<void> {
  const seedSeq = seeded.kind === 'stock' ? seeded.meta.seq : -1;
  const won = successes(r);
  const lost = r.attempts.filter((a) => !a.result.ok);

  // The first round collided on purpose: one winner, nineteen conflicts.
  const firstRound = r.attempts.filter((a) => a.attempt === 1);
  expect(firstRound).toHaveLength(WRITERS);
  expect(firstRound.every((a) => a.expected === seedSeq)).toBe(true);
  expect(firstRound.filter((a) => a.result.ok)).toHaveLength(1);

  // Every success has its own stream sequence, and each was decided on the state the previous one left.
  expect(new Set(won.map((a) => a.result.seq)).size).toBe(won.length);
  expect(won.map((a) => a.expected)).toEqual([seedSeq, ...won.slice(0, -1).map((a) => a.result.seq)]);
  expect(won.map((a) => a.result.duplicate)).toEqual(won.map(() => false));

  // Every refusal is a conflict that tells the user the product changed meanwhile.
  expect(lost.length).toBeGreaterThanOrEqual(WRITERS - 1);
  for (const a of lost) {
    expect(a.result).toMatchObject({ ok: false, kind: 'conflict' });
    if (a.result.ok) continue;
    expect(a.result.message).toMatch(/^The product changed since it was read\b.*reload and try again\.$/);
    // The server names the sequence the subject had moved on to.
    expect(a.result.actualSeq).toBeGreaterThan(a.expected);
    expect(a.result.message).toContain(`now at sequence ${a.result.actualSeq}`);
  }

  // The stream holds the seed and the successes, each once, and nothing from a refused attempt.
  const stored = await readSubject(checker, r.subject);
  expect(stored.map((m) => m.seq)).toEqual([seedSeq, ...won.map((a) => a.result.seq)]);
  const storedIds = stored
    .map((m) => decodeStockMessage(m, TEST_HEADER_NAMES))
    .map((d) => (d.kind === 'stock' ? d.meta.id : ''));
  expect(storedIds).toEqual([seeded.kind === 'stock' ? seeded.meta.id : '', ...won.map((a) => a.id)]);

  // Folding the stream gives exactly what applying the successes in order gives.
  const product = seeded.kind === 'stock' ? seeded.meta.product : '';
  const applied: Decoded[] = [
    seeded,
    ...won.map((a): Decoded => ({
      kind: 'stock',
      meta: {
        seq: a.result.seq,
        subject: r.subject,
        warehouse: WAREHOUSE,
        product,
        id: a.id,
        timestampMs: a.timestampMs,
      },
      event: a.event,
    })),
  ];
  const fromStream = await readProduct(checker, r.subject);
  const fromSuccesses = applyBatch(initialLedger(), applied);
  expect(ledgerViews(fromStream)).toEqual(ledgerViews(fromSuccesses));
  expect(fromStream.skipped).toBe(0);
  expect(lastSubjectSeq(fromStream.stock, WAREHOUSE, product)).toBe(won.at(-1)!.result.seq);

  // Every writer ended in exactly one way, and the ones that say stored are the successes.
  const storedOutcomes = r.outcomes.flatMap((o) => (o.kind === 'stored' ? [o.seq] : []));
  expect(storedOutcomes.sort((a, b) => a - b)).toEqual(won.map((a) => a.result.seq));
}

describe('20 writers racing on one product with expected-sequence publishes', () => {
  test('given plenty of stock and 3 attempts each, then the successes chain, the rest are conflicts, and nothing is lost or doubled', async () => {
    const product = uniqueToken('Race');
    const seeded = await seed(product, 1000);
    const sell = (writer: number) => 1 + (writer % 5);
    const r = await race(product, sell, 3);

    await expectOneChainAndNothingElse(r, seeded);
    const won = successes(r);
    const fold = await readProduct(checker, r.subject);
    const sold = won.reduce((sum, a) => sum + sell(a.writer), 0);
    expect(locationQuantity(fold.stock, WAREHOUSE, product, LOCATION)).toBe(1000 - sold);
    // Writers that lost three times in a row gave up with the conflict as their last word.
    for (const [writer, o] of r.outcomes.entries()) {
      if (o.kind !== 'gave-up') continue;
      const mine = r.attempts.filter((a) => a.writer === writer);
      expect(mine).toHaveLength(3);
      expect(mine.every((a) => !a.result.ok && a.result.kind === 'conflict')).toBe(true);
    }
    expect(r.outcomes.every((o) => o.kind === 'stored' || o.kind === 'gave-up')).toBe(true);
  });

  test('given stock for half of them, when all retry until decided, then exactly half sell and the count never goes below zero', async () => {
    const product = uniqueToken('LastUnits');
    const units = 3;
    const seeded = await seed(product, (WRITERS / 2) * units);
    // A writer loses only to a success that came after its read, and there can be at most WRITERS / 2
    // successes: this many attempts always end in a sale or in "out of stock".
    const r = await race(product, () => units, WRITERS / 2 + 1);

    await expectOneChainAndNothingElse(r, seeded);
    expect(r.outcomes.filter((o) => o.kind === 'stored')).toHaveLength(WRITERS / 2);
    const refused = r.outcomes.filter((o) => o.kind === 'refused');
    expect(refused).toHaveLength(WRITERS / 2);
    for (const o of refused)
      expect(o.kind === 'refused' && o.reason).toMatch(/^No LastUnits-\w+ at A1; to record 3 sold/);
    const fold = await readProduct(checker, r.subject);
    expect(locationQuantity(fold.stock, WAREHOUSE, product, LOCATION)).toBe(0);
  });
});
