import { afterEach, describe, expect, it } from 'vitest';
import type { StockEvent } from '../core/events';
import type { PublishResult } from '../nats/publish';
import { Outbox, type KeptCommand, type OutboxEntry } from './outbox';
import type { PublishCommand, PublishOutcome, QueuedCommand } from './protocol';

const WINDOW_MS = 120_000;

interface Stored {
  seq: number;
  id: string;
  subject: string;
  atMs: number;
}

type Link = 'up' | 'ack-lost' | 'unreachable';

/**
 * A stream as the server keeps it: a duplicate window over `Nats-Msg-Id`, the expected subject sequence,
 * and a link that can lose the acknowledgement after storing, or lose the message itself. The replay
 * behind it folds one more message each time the outbox waits, so a decision taken before the replay
 * caught up shows.
 */
class FakeStream {
  readonly messages: Stored[] = [];
  readonly sends: OutboxEntry[] = [];
  /** Consumed one per send; `link` afterwards. */
  script: Link[] = [];
  link: Link = 'up';
  folded = 0;
  clockMs = 1_000_000;
  private ids = 0;
  refusal: PublishResult | null = null;
  held: ((result: PublishResult) => void) | null = null;
  holdNext = false;
  /** What the outbox keeps on the device, by id: it outlives any one Outbox here, as IndexedDB does. */
  readonly device = new Map<string, KeptCommand>();

  constructor(private readonly checkIdFirst = true) {}

  subjectOf(command: PublishCommand): string {
    return `warehouse.${command.warehouse}.product.${command.event.product_name}`;
  }

  copiesOf(id: string): number {
    return this.messages.filter((m) => m.id === id).length;
  }

  storeOther(subject: string): number {
    return this.append(`other-${this.messages.length + 1}`, subject);
  }

  private append(id: string, subject: string): number {
    const seq = this.messages.length + 1;
    this.messages.push({ seq, id, subject, atMs: this.clockMs });
    return seq;
  }

  private accept(entry: OutboxEntry): PublishResult {
    const subject = this.subjectOf(entry.command);
    const remembered = this.messages.find((m) => m.id === entry.id && this.clockMs - m.atMs < WINDOW_MS);
    const duplicate = (): PublishResult => ({ ok: true, seq: remembered!.seq, duplicate: true, stream: 'S' });
    if (remembered && this.checkIdFirst) return duplicate();
    const expected = entry.command.expectedLastSubjectSeq;
    const last = this.messages.filter((m) => m.subject === subject).at(-1)?.seq ?? 0;
    if (expected !== undefined && expected !== last) {
      return { ok: false, kind: 'conflict', message: `wrong last sequence: ${last}`, actualSeq: last };
    }
    if (remembered) return duplicate();
    return { ok: true, seq: this.append(entry.id, subject), duplicate: false, stream: 'S' };
  }

  send = async (entry: OutboxEntry): Promise<PublishResult> => {
    this.sends.push(entry);
    const link = this.script.shift() ?? this.link;
    if (this.refusal) return this.refusal;
    if (this.holdNext) {
      this.holdNext = false;
      return new Promise((resolve) => (this.held = resolve));
    }
    await Promise.resolve();
    const timeout: PublishResult = { ok: false, kind: 'timeout', message: 'no ack' };
    if (link === 'unreachable') return timeout;
    const result = this.accept(entry);
    return link === 'ack-lost' ? timeout : result;
  };

  port() {
    return {
      keep: (command: KeptCommand) => void this.device.set(command.id, command),
      forget: (id: string) => void this.device.delete(id),
      send: this.send,
      // One subject: every message of this stream is on the command's.
      lastStoredSeq: async () => this.messages.length,
      replayed: () => ({
        foldedThrough: this.folded,
        has: (id: string) => this.messages.some((m) => m.seq <= this.folded && m.id === id),
      }),
      now: () => this.clockMs,
      sleep: async (ms: number, signal: AbortSignal) => {
        if (signal.aborted) return;
        this.clockMs += ms;
        this.folded = Math.min(this.folded + 1, this.messages.length);
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
      newId: () => `event-${++this.ids}`,
    };
  }
}

function setUp(stream = new FakeStream()) {
  const settled = new Map<string, PublishOutcome>();
  const waiting = new Map<string, (outcome: PublishOutcome) => void>();
  const lists: QueuedCommand[][] = [];
  const outbox = new Outbox(
    stream.port(),
    { duplicateWindowMs: WINDOW_MS, marginMs: 15_000 },
    {
      settled: (id, outcome) => {
        settled.set(id, outcome);
        waiting.get(id)?.(outcome);
      },
      changed: (queued) => lists.push(queued),
    },
  );
  opened.push(outbox);
  const final = (id: string): Promise<PublishOutcome> =>
    settled.has(id) ? Promise.resolve(settled.get(id)!) : new Promise((resolve) => waiting.set(id, resolve));
  return { stream, outbox, final, lists, settled };
}

const opened: Outbox[] = [];
afterEach(() => {
  for (const outbox of opened.splice(0)) outbox.close('The test ended');
});

const sale = (product: string, quantity = 1, expectedLastSubjectSeq?: number): PublishCommand => {
  const event: StockEvent = { type: 'stock.sold', product_name: product, location: 'A1', quantity };
  return {
    warehouse: '46',
    event,
    ...(expectedLastSubjectSeq !== undefined ? { expectedLastSubjectSeq } : {}),
  };
};

function queuedId(outcome: PublishOutcome): string {
  if (outcome.ok || outcome.kind !== 'queued')
    throw new Error(`expected queued, got ${JSON.stringify(outcome)}`);
  return outcome.id;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Outbox', () => {
  it('publishes at once while connected and answers with the acknowledgement', async () => {
    const { stream, outbox, lists } = setUp();
    outbox.setConnected(true);
    const outcome = await outbox.submit(sale('Apples', 2, 0));
    expect(outcome).toEqual({ ok: true, id: 'event-1', seq: 1, duplicate: false });
    expect(stream.sends.map((s) => s.id)).toEqual(['event-1']);
    expect(lists).toEqual([]);
  });

  it('keeps a command submitted offline, says so, and publishes it once when the connection is back', async () => {
    const { stream, outbox, final, lists } = setUp();
    const first = await outbox.submit(sale('Apples', 3, 0));
    expect(first).toMatchObject({ ok: false, kind: 'queued', reason: 'offline' });
    expect(!first.ok && first.message).toMatch(
      /^Offline — queued; it will be recorded once when the connection/,
    );
    await settle();
    expect(stream.sends).toEqual([]);
    expect(lists.at(-1)?.map((q) => q.id)).toEqual([queuedId(first)]);

    outbox.setConnected(true);
    expect(await final(queuedId(first))).toEqual({ ok: true, id: queuedId(first), seq: 1, duplicate: false });
    expect(stream.sends).toHaveLength(1);
    expect(stream.copiesOf(queuedId(first))).toBe(1);
    expect(lists.at(-1)).toEqual([]);
  });

  it('two commands while offline are two events, in order, each stored once', async () => {
    const { stream, outbox, final } = setUp();
    const a = queuedId(await outbox.submit(sale('Apples', 1, 0)));
    const b = queuedId(await outbox.submit(sale('Pears', 2, 0)));
    expect(a).not.toBe(b);
    outbox.setConnected(true);
    await final(b);
    expect(await final(a)).toMatchObject({ ok: true, seq: 1 });
    expect(await final(b)).toMatchObject({ ok: true, seq: 2 });
    expect(stream.messages.map((m) => m.id)).toEqual([a, b]);
    expect(stream.sends.map((s) => s.id)).toEqual([a, b]);
  });

  it('keeps the event time of submission in every copy', async () => {
    const { stream, outbox, final } = setUp();
    stream.script = ['ack-lost'];
    const submittedMs = stream.clockMs;
    outbox.setConnected(true);
    const id = queuedId(await outbox.submit(sale('Apples')));
    await final(id);
    expect(stream.sends.length).toBeGreaterThan(1);
    expect(new Set(stream.sends.map((s) => s.timestampMs))).toEqual(new Set([submittedMs]));
  });

  it('refuses a second command for a product that still has one queued, instead of a late conflict', async () => {
    const { stream, outbox, lists } = setUp();
    await outbox.submit(sale('Apples', 1, 4));
    const second = await outbox.submit(sale('Apples', 1, 4));
    expect(second).toMatchObject({ ok: false, kind: 'busy' });
    expect(!second.ok && second.message).toMatch(
      /^An earlier event for Apples in warehouse 46 is not acknowledged yet/,
    );
    expect(lists.at(-1)).toHaveLength(1);
    expect(stream.sends).toEqual([]);
  });

  it('an acknowledgement lost after storing: sent again with the same id, stored once, reported with its sequence', async () => {
    const { stream, outbox, final } = setUp();
    stream.storeOther('warehouse.46.product.Apples');
    stream.script = ['ack-lost', 'unreachable'];
    outbox.setConnected(true);
    const first = await outbox.submit(sale('Apples', 5, 1));
    expect(first).toMatchObject({ ok: false, kind: 'queued', reason: 'unacknowledged' });
    const id = queuedId(first);
    // The re-send's expected sequence is stale by then (its own first copy moved the subject on).
    expect(await final(id)).toEqual({ ok: true, id, seq: 2, duplicate: true });
    expect(stream.copiesOf(id)).toBe(1);
    expect(stream.sends.map((s) => s.id)).toEqual([id, id, id]);
  });

  it('does not trust the server to check the id before the sequence: a conflict after a lost ack is looked up', async () => {
    const { stream, outbox, final } = setUp(new FakeStream(false));
    stream.script = ['ack-lost'];
    outbox.setConnected(true);
    const id = queuedId(await outbox.submit(sale('Apples', 5, 0)));
    expect(await final(id)).toEqual({ ok: true, id, seq: null, duplicate: true });
    expect(stream.copiesOf(id)).toBe(1);
  });

  it('a queued command overtaken by another writer settles as a conflict and stores nothing', async () => {
    const { stream, outbox, final } = setUp();
    const id = queuedId(await outbox.submit(sale('Apples', 1, 0)));
    stream.storeOther('warehouse.46.product.Apples');
    outbox.setConnected(true);
    expect(await final(id)).toEqual({
      ok: false,
      kind: 'conflict',
      id,
      message: 'wrong last sequence: 1',
      actualSeq: 1,
    });
    expect(stream.copiesOf(id)).toBe(0);
  });

  it('past the duplicate window, asks the caught-up replay before sending again', async () => {
    const { stream, outbox, final } = setUp();
    stream.script = ['ack-lost'];
    outbox.setConnected(true);
    const id = queuedId(await outbox.submit(sale('Apples', 5, 0)));
    outbox.setConnected(false);
    stream.clockMs += WINDOW_MS;
    // Other events arrive meanwhile; the replay has folded none of them yet.
    for (let i = 0; i < 5; i += 1) stream.storeOther('warehouse.46.product.Pears');
    stream.folded = 0;
    outbox.setConnected(true);
    expect(await final(id)).toEqual({ ok: true, id, seq: null, duplicate: true });
    expect(stream.copiesOf(id)).toBe(1);
    expect(stream.sends).toHaveLength(1);
  });

  it('past the duplicate window, sends again when the replay does not hold the event', async () => {
    const { stream, outbox, final } = setUp();
    stream.script = ['unreachable'];
    outbox.setConnected(true);
    const id = queuedId(await outbox.submit(sale('Apples', 5, 0)));
    outbox.setConnected(false);
    stream.clockMs += WINDOW_MS;
    stream.storeOther('warehouse.46.product.Pears');
    outbox.setConnected(true);
    expect(await final(id)).toMatchObject({ ok: true, id, seq: 2, duplicate: false });
    expect(stream.copiesOf(id)).toBe(1);
  });

  it('an attempt cut off by a disconnect is unanswered, not failed: sent again with the same id later', async () => {
    const { stream, outbox, final } = setUp();
    stream.holdNext = true;
    outbox.setConnected(true);
    const answer = outbox.submit(sale('Apples', 1, 0));
    await settle();
    outbox.setConnected(false);
    stream.held!({ ok: false, kind: 'other', message: 'connection closed' });
    const id = queuedId(await answer);
    await settle();
    expect(stream.sends).toHaveLength(1);
    outbox.setConnected(true);
    expect(await final(id)).toMatchObject({ ok: true, id, seq: 1 });
    expect(stream.sends.map((s) => s.id)).toEqual([id, id]);
  });

  it('a command behind an unanswered one is reported queued at once', async () => {
    const { stream, outbox, final } = setUp();
    stream.script = ['unreachable', 'unreachable'];
    outbox.setConnected(true);
    const a = queuedId(await outbox.submit(sale('Apples')));
    const b = await outbox.submit(sale('Pears'));
    expect(b).toMatchObject({ ok: false, kind: 'queued', reason: 'behind' });
    await final(queuedId(b));
    expect(stream.messages.map((m) => m.id)).toEqual([a, queuedId(b)]);
  });

  it('a command behind one merely in flight waits for its own answer; behind a stuck one it is told at once', async () => {
    const { stream, outbox } = setUp();
    outbox.setConnected(true);
    stream.holdNext = true;
    const a = outbox.submit(sale('Apples'));
    const b = outbox.submit(sale('Pears'));
    const answers: PublishOutcome[] = [];
    void b.then((outcome) => answers.push(outcome));
    await settle();
    expect(answers).toEqual([]);
    stream.held!({ ok: true, seq: 7, duplicate: false, stream: 'S' });
    expect(await a).toMatchObject({ ok: true, seq: 7 });
    expect(await b).toMatchObject({ ok: true, duplicate: false });

    stream.holdNext = true;
    const c = outbox.submit(sale('Plums'));
    const d = outbox.submit(sale('Figs'));
    await settle();
    stream.held!({ ok: false, kind: 'timeout', message: 'no ack' });
    expect(await c).toMatchObject({ kind: 'queued', reason: 'unacknowledged' });
    expect(await d).toMatchObject({ kind: 'queued', reason: 'behind' });
  });

  it('refusals are final and carry the server message', async () => {
    const { stream, outbox } = setUp();
    stream.refusal = { ok: false, kind: 'permission', message: 'Permission denied' };
    outbox.setConnected(true);
    expect(await outbox.submit(sale('Apples'))).toEqual({
      ok: false,
      kind: 'permission',
      id: 'event-1',
      message: 'Permission denied',
    });
    expect(stream.sends).toHaveLength(1);
    expect(outbox.queued()).toEqual([]);
  });

  it('closing says what became of each waiting command, keeps them on the device, and refuses new ones', async () => {
    const { stream, outbox, final } = setUp();
    stream.script = ['unreachable'];
    outbox.setConnected(true);
    const sent = queuedId(await outbox.submit(sale('Apples')));
    outbox.setConnected(false);
    const never = queuedId(await outbox.submit(sale('Pears')));
    outbox.close('You signed out');
    expect(await final(sent)).toMatchObject({ ok: false, kind: 'timeout', id: sent });
    expect((await final(sent)) as { message: string }).toHaveProperty(
      'message',
      'You signed out before the server acknowledged it: it may already be stored; it is kept on this device and sent, as the same event event-1, when you next sign in here, so it is recorded once.',
    );
    expect(await final(never)).toEqual({
      ok: false,
      kind: 'offline',
      id: never,
      message:
        'You signed out before it could be sent: it is kept on this device and sent, as the same event event-2, when you next sign in here.',
    });
    expect(await outbox.submit(sale('Plums'))).toMatchObject({ ok: false, kind: 'offline' });
    expect(outbox.queued()).toEqual([]);
    expect([...stream.device.values()].map((c) => [c.id, c.attempts])).toEqual([
      [sent, 1],
      [never, 0],
    ]);
  });
});

describe('outbox kept on the device', () => {
  it('keeps a command from submission until the server answers it', async () => {
    const { stream, outbox, final } = setUp();
    const id = queuedId(await outbox.submit(sale('Apples')));
    expect(stream.device.get(id)).toMatchObject({ id, attempts: 0, firstSentMs: null });
    outbox.setConnected(true);
    expect(await final(id)).toMatchObject({ ok: true, seq: 1 });
    expect(stream.device.size).toBe(0);
  });

  it('given a tab closed while offline, then the next session sends the kept commands once, in order, with their ids and times', async () => {
    const stream = new FakeStream();
    const first = setUp(stream);
    const apples = queuedId(await first.outbox.submit(sale('Apples', 2)));
    const pears = queuedId(await first.outbox.submit(sale('Pears', 3)));
    const madeAt = stream.device.get(apples)!.timestampMs;
    // The tab is gone: its outbox is never closed, and a later session finds what it kept.
    stream.clockMs += 3_600_000;
    const next = setUp(stream);
    next.outbox.resume([...stream.device.values()]);
    expect(next.outbox.queued().map((q) => [q.id, q.reason])).toEqual([
      [apples, 'offline'],
      [pears, 'offline'],
    ]);
    next.outbox.setConnected(true);
    expect(await next.final(apples)).toMatchObject({ ok: true, seq: 1, duplicate: false });
    expect(await next.final(pears)).toMatchObject({ ok: true, seq: 2, duplicate: false });
    expect(stream.sends.map((e) => [e.id, e.timestampMs])).toEqual([
      [apples, madeAt],
      [pears, madeAt],
    ]);
    expect(stream.device.size).toBe(0);
  });

  it('given a copy stored whose acknowledgement was lost before the tab closed, then the next session, past the duplicate window, finds it in the replay and stores nothing more', async () => {
    const stream = new FakeStream();
    // Stored, the acknowledgement lost, and the link gone before any re-send could get through.
    stream.script = ['ack-lost'];
    stream.link = 'unreachable';
    const first = setUp(stream);
    first.outbox.setConnected(true);
    const id = queuedId(await first.outbox.submit(sale('Apples')));
    await expect.poll(() => stream.copiesOf(id)).toBe(1);
    expect(stream.device.get(id)!.attempts).toBeGreaterThanOrEqual(1);
    first.outbox.setConnected(false);
    stream.link = 'up';
    stream.clockMs += 10 * WINDOW_MS;
    const next = setUp(stream);
    next.outbox.resume([...stream.device.values()]);
    expect(next.outbox.queued()).toMatchObject([{ id, reason: 'unacknowledged' }]);
    next.outbox.setConnected(true);
    expect(await next.final(id)).toMatchObject({ ok: true, seq: null, duplicate: true });
    expect(stream.copiesOf(id)).toBe(1);
    expect(stream.device.size).toBe(0);
  });
});
