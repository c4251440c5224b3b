import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Decoded, RawMessage } from '../core/codec';
import { applyBatch, initialLedger, ledgerViews } from '../core/ledger';
import { checkpointName, warehouseCheckpointName, type CheckpointTag } from '../core/checkpoint-catalog';
import { subjectOf } from '../core/codec';
import { subjectWarehouse } from '../core/events';
import { encodeCheckpoint } from '../core/checkpoint-codec';
import { LEDGER_SNAPSHOT_VERSION, snapshotLedger } from '../core/ledger-snapshot';
import { syntheticHistory, TestStream } from '../core/testing';
import type { SharedCheckpoints } from './checkpoint-port';
import { FoldPersistence, type FoldStore } from './fold-persistence';
import type { ReplayProgress } from './protocol';
import { SnapshotScheduler } from './snapshot-scheduler';
import { eventTimeOf } from '../core/codec';
import {
  PUMP_MIN_BACKLOG,
  WarehouseFollower,
  type FollowedBatch,
  type FollowerSink,
  type WarehouseStream,
} from './warehouse-follower';

const T0 = 1_700_000_000_000;
const CREATED = '2026-12-01T10:00:00Z';

/**
 * WAREHOUSE_EVENTS as the readers deliver it: batches of `batchSize`, the last one stored marked caught up,
 * then (for the engine's own replay) waiting for live events until the signal aborts. Messages carry only
 * their sequence; `decode` hands back the event stored under it.
 */
class FakeStream implements WarehouseStream {
  created = CREATED;
  readonly replays: number[] = [];
  readonly pumps: [number, number][] = [];
  /** The pump throws after delivering this many batches. */
  pumpFailsAfter: number | null = null;
  replayError: Error | null = null;
  /** Delivers only the messages this keeps, as a reader with a subject filter does. */
  only: ((decoded: Decoded) => boolean) | null = null;
  private wake: (() => void) | null = null;

  constructor(
    public events: Decoded[],
    private readonly batchSize = 100,
  ) {}

  get lastSeq(): number {
    return this.events.length;
  }

  async state() {
    return { created: this.created, lastSeq: this.lastSeq };
  }

  decode = (m: RawMessage): Decoded => this.events[m.seq - 1] as Decoded;

  /** Stores more events; a live replay delivers them. */
  append(events: Decoded[]): void {
    this.events.push(...events);
    this.wake?.();
  }

  private batch(from: number, to: number): FollowedBatch {
    const messages = Array.from(
      { length: to - from + 1 },
      (_, i) => ({ seq: from + i }) as RawMessage,
    ).filter((m) => this.only === null || this.only(this.decode(m)));
    return { messages, caughtUp: to >= this.lastSeq, streamLastSeq: this.lastSeq };
  }

  async *replay(fromSeq: number, signal: AbortSignal): AsyncGenerator<FollowedBatch> {
    this.replays.push(fromSeq);
    if (this.replayError) throw this.replayError;
    let next = fromSeq;
    while (!signal.aborted) {
      if (next > this.lastSeq) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        continue;
      }
      const to = Math.min(this.lastSeq, next + this.batchSize - 1);
      yield this.batch(next, to);
      next = to + 1;
    }
  }

  async *pump(fromSeq: number, untilSeq: number): AsyncGenerator<FollowedBatch> {
    this.pumps.push([fromSeq, untilSeq]);
    let delivered = 0;
    for (let next = fromSeq; next <= untilSeq; next += this.batchSize) {
      if (this.pumpFailsAfter !== null && delivered >= this.pumpFailsAfter) throw new Error('pump broke');
      yield this.batch(next, Math.min(untilSeq, next + this.batchSize - 1));
      delivered += 1;
    }
  }
}

/** What IndexedDB would keep: a structured clone. */
function memoryStore(): FoldStore & { saved: Map<string, unknown>; failSaves: boolean } {
  const saved = new Map<string, unknown>();
  const store = {
    saved,
    failSaves: false,
    load: async (key: string) => saved.get(key),
    save: async (fold: { key: string }) => {
      if (store.failSaves) throw new Error('quota exceeded');
      saved.set(fold.key, structuredClone(fold));
    },
    delete: async (key: string) => void saved.delete(key),
  };
  return store;
}

function recordingSink() {
  const log = {
    changed: 0,
    caughtUp: 0,
    progress: [] as ReplayProgress[],
    notices: [] as { level: 'info' | 'warning'; message: string }[],
    pumpFailures: [] as unknown[],
  };
  const sink: FollowerSink = {
    changed: () => (log.changed += 1),
    caughtUp: () => (log.caughtUp += 1),
    progress: (p) => log.progress.push(p),
    notice: (level, message) => log.notices.push({ level, message }),
    pumpFailed: (error) => log.pumpFailures.push(error),
  };
  return { log, sink };
}

/** An object store of checkpoints in memory: each folded from the first `seq` events given. */
function sharedCheckpoints(events: Decoded[], seqs: number[], over: Partial<CheckpointTag> = {}) {
  const objects = new Map<string, { tag: CheckpointTag; bytes: Uint8Array }>();
  for (const seq of seqs) {
    const tag: CheckpointTag = {
      name: checkpointName(LEDGER_SNAPSHOT_VERSION, seq),
      seq,
      viewsVersion: LEDGER_SNAPSHOT_VERSION,
      streamCreated: CREATED,
      maxEventMs: T0,
      ...over,
    };
    const ledger = applyBatch(initialLedger(), events.slice(0, seq));
    objects.set(tag.name, {
      tag,
      bytes: encodeCheckpoint({
        snapshot: snapshotLedger(ledger),
        minEventMs: T0 - 1,
        maxEventMs: T0,
        marks: [],
      }),
    });
  }
  const reads: string[] = [];
  const port: SharedCheckpoints = {
    list: async () => [...objects.values()].map((o) => o.tag),
    find: async (name) => objects.get(name)?.tag ?? null,
    read: async (name) => {
      reads.push(name);
      const found = objects.get(name);
      if (!found) throw new Error('gone');
      return found.bytes;
    },
  };
  return { port, objects, reads };
}

function setup(
  events: Decoded[],
  options: {
    store?: ReturnType<typeof memoryStore>;
    batchSize?: number;
    shared?: SharedCheckpoints;
    scope?: string;
  } = {},
) {
  const stream = new FakeStream(events, options.batchSize);
  const store = options.store ?? memoryStore();
  const saved = new FoldPersistence(store, 'key');
  const { log, sink } = recordingSink();
  let clock = T0;
  const follower = new WarehouseFollower(
    stream,
    saved,
    sink,
    () => clock,
    options.shared ?? null,
    options.scope ?? null,
  );
  const abort = new AbortController();
  const run = () => follower.follow(abort.signal);
  return {
    stream,
    store,
    log,
    follower,
    abort,
    run,
    tick: (ms: number) => (clock += ms),
  };
}

/** Lets the follower's promises and generators run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

const history = (count: number) => syntheticHistory(count, T0);
const viewsOf = (events: Decoded[]) => ledgerViews(applyBatch(initialLedger(), events));

describe('WarehouseFollower', () => {
  const aborts: AbortController[] = [];
  afterEach(() => {
    for (const abort of aborts.splice(0)) abort.abort();
    vi.useRealTimers();
  });

  it('given no saved views and a short stream, when followed, then every event is folded over the own connection and the catch-up is told once', async () => {
    const events = history(250);
    const { stream, log, follower, abort, run } = setup(events);
    aborts.push(abort);
    void run();
    await settle();
    expect(stream.replays).toEqual([1]);
    expect(stream.pumps).toEqual([]);
    expect(ledgerViews(follower.ledger)).toEqual(viewsOf(events));
    expect(follower.ledger.lastSeq).toBe(250);
    expect(log.progress[0]).toMatchObject({ replayed: 0, total: 250, caughtUp: false });
    expect(log.caughtUp).toBe(1);
    expect(log.changed).toBe(2);
    expect(follower.progress.isCaughtUp).toBe(true);
  });

  it('given it has caught up, when live events arrive, then each batch asks for a snapshot and the catch-up is not told again', async () => {
    const s = new TestStream(T0);
    const { stream, log, follower, abort, run } = setup([s.replenished('W1', 'apple', 10)]);
    aborts.push(abort);
    void run();
    await settle();
    stream.append([s.sold('W1', 'apple', 3)]);
    await settle();
    stream.append([s.sold('W1', 'apple', 2)]);
    await settle();
    expect(log.caughtUp).toBe(1);
    expect(log.changed).toBe(2);
    expect(follower.ledger.lastSeq).toBe(3);
    expect(follower.lastEventMs).toBe(T0 + 3000);
  });

  it('keeps the newest event time even when event time does not follow the stream', async () => {
    const s = new TestStream(T0);
    const events = [
      s.replenished('W1', 'apple', 10, undefined, { at: T0 + 50_000 }),
      s.sold('W1', 'apple', 1, undefined, { at: T0 + 10_000 }),
    ];
    const { follower, abort, run } = setup(events);
    aborts.push(abort);
    void run();
    await settle();
    expect(follower.lastEventMs).toBe(T0 + 50_000);
  });

  it(`given a backlog of ${PUMP_MIN_BACKLOG} events or more, then the pump receives it and the own connection reads on from its end`, async () => {
    const events = history(PUMP_MIN_BACKLOG);
    const { stream, log, follower, abort, run } = setup(events, { batchSize: 1000 });
    aborts.push(abort);
    void run();
    await settle();
    expect(stream.pumps).toEqual([[1, PUMP_MIN_BACKLOG]]);
    expect(stream.replays).toEqual([PUMP_MIN_BACKLOG + 1]);
    expect(ledgerViews(follower.ledger)).toEqual(viewsOf(events));
    expect(log.caughtUp).toBe(1);
  });

  it('given a backlog just under the pump threshold, then no pump is started', async () => {
    const { stream, abort, run } = setup(history(PUMP_MIN_BACKLOG - 1), { batchSize: 1000 });
    aborts.push(abort);
    void run();
    await settle();
    expect(stream.pumps).toEqual([]);
    expect(stream.replays).toEqual([1]);
  });

  it('given the pump fails half-way, then the failure is reported and the rest is read on the own connection', async () => {
    const events = history(PUMP_MIN_BACKLOG + 500);
    const { stream, log, follower, abort, run } = setup(events, { batchSize: 1000 });
    stream.pumpFailsAfter = 2;
    aborts.push(abort);
    void run();
    await settle();
    expect(log.pumpFailures).toEqual([new Error('pump broke')]);
    expect(stream.replays).toEqual([2001]);
    expect(ledgerViews(follower.ledger)).toEqual(viewsOf(events));
  });

  it('given the own replay fails, then follow throws for its supervisor, and the next run resumes from the fold', async () => {
    const events = history(310);
    const { stream, follower, abort, run } = setup(events.slice(0, 300));
    aborts.push(abort);
    const first = new AbortController();
    void follower.follow(first.signal);
    await settle();
    first.abort();
    stream.append(events.slice(300));
    stream.replayError = new Error('consumer deleted');
    await expect(run()).rejects.toThrow('consumer deleted');
    stream.replayError = null;
    void run();
    await settle();
    expect(stream.replays).toEqual([1, 301, 301]);
    expect(follower.ledger.lastSeq).toBe(310);
  });

  it('given the fold caught up, then it is saved in the browser with its event times, and a failed save is a warning', async () => {
    const store = memoryStore();
    const events = history(120);
    const { log, abort, run } = setup(events, { store });
    aborts.push(abort);
    void run();
    await settle();
    const saved = store.saved.get('key') as { streamCreated: string; minEventMs: number; maxEventMs: number };
    expect(saved.streamCreated).toBe(CREATED);
    expect(saved.minEventMs).toBe(Math.min(...events.map(eventTimeOf)));
    expect(saved.maxEventMs).toBe(Math.max(...events.map(eventTimeOf)));

    const failing = memoryStore();
    failing.failSaves = true;
    const other = setup(history(50), { store: failing });
    aborts.push(other.abort);
    void other.run();
    await settle();
    expect(other.log.notices).toEqual([
      {
        level: 'warning',
        message: 'The views could not be saved in this browser for a faster next start: quota exceeded.',
      },
    ]);
    expect(log.notices).toEqual([]);
  });

  it('given views saved by an earlier visit, when resumed, then it says so and reads only what was stored since', async () => {
    const store = memoryStore();
    const events = history(400);
    const earlier = setup(events.slice(0, 300), { store });
    aborts.push(earlier.abort);
    void earlier.run();
    await settle();

    const later = setup(events, { store });
    aborts.push(later.abort);
    await later.follower.resumeSavedFold();
    expect(later.follower.ledger.lastSeq).toBe(300);
    expect(later.log.notices).toHaveLength(1);
    expect(later.log.notices[0]?.level).toBe('info');
    expect(later.log.notices[0]?.message).toMatch(
      /^Started from the views this browser saved at .+ \(300 events\); reading the 100 stored since\.$/,
    );
    expect(later.follower.checkpoints.count).toBe(2);
    void later.run();
    await settle();
    expect(later.stream.replays).toEqual([301]);
    expect(later.log.progress[0]).toMatchObject({ replayed: 300, total: 400 });
    expect(ledgerViews(later.follower.ledger)).toEqual(viewsOf(events));
  });

  it('given views saved from a stream recreated since, then they are refused with an info notice and the whole stream is read', async () => {
    const store = memoryStore();
    const earlier = setup(history(100), { store });
    aborts.push(earlier.abort);
    void earlier.run();
    await settle();

    const later = setup(history(100), { store });
    later.stream.created = '2026-12-02T10:00:00Z';
    aborts.push(later.abort);
    await later.follower.resumeSavedFold();
    expect(later.log.notices).toEqual([
      {
        level: 'info',
        message:
          'The views saved in this browser were not used (the stream was recreated since it was saved); reading the whole stream.',
      },
    ]);
    void later.run();
    await settle();
    expect(later.stream.replays).toEqual([1]);
  });

  it('given the saved views cannot be read, then a warning says so; given none, then nothing is said', async () => {
    const broken = memoryStore();
    broken.load = async () => {
      throw new Error('blocked');
    };
    const failing = setup(history(10), { store: broken });
    await failing.follower.resumeSavedFold();
    expect(failing.log.notices).toEqual([
      {
        level: 'warning',
        message: 'The views saved in this browser could not be read (blocked.); reading the whole stream.',
      },
    ]);

    const empty = setup(history(10));
    await empty.follower.resumeSavedFold();
    expect(empty.log.notices).toEqual([]);
    expect(empty.follower.ledger.lastSeq).toBe(0);
  });

  it('given the stream cannot be asked about, then resuming leaves the start to the replay', async () => {
    const { stream, follower, log } = setup(history(10));
    stream.state = async () => {
      throw new Error('no responders');
    };
    await follower.resumeSavedFold();
    expect(log.notices).toEqual([]);
    expect(follower.ledger.lastSeq).toBe(0);
  });

  describe('shared checkpoints', () => {
    it("given a fold of one warehouse, then it starts from that warehouse's checkpoint, found by name, and holds the stream's end once caught up", async () => {
      const events = history(30_000);
      const ofW1 = (d: Decoded) => subjectWarehouse(subjectOf(d)) === 'W1';
      const name = warehouseCheckpointName('W1', LEDGER_SNAPSHOT_VERSION, 'latest');
      const cut = applyBatch(initialLedger(), events.slice(0, 20_000).filter(ofW1));
      const content = {
        snapshot: snapshotLedger({ ...cut, lastSeq: 20_000 }),
        minEventMs: T0 - 1,
        maxEventMs: T0,
        marks: [],
      };
      const tag: CheckpointTag = {
        name,
        seq: 20_000,
        viewsVersion: LEDGER_SNAPSHOT_VERSION,
        streamCreated: CREATED,
        maxEventMs: T0,
        warehouse: 'W1',
      };
      const reads: string[] = [];
      const port: SharedCheckpoints = {
        list: async () => {
          throw new Error('one warehouse finds its checkpoint by name');
        },
        find: async (asked) => (asked === name ? tag : null),
        read: async (asked) => {
          reads.push(asked);
          return encodeCheckpoint(content);
        },
      };
      const { follower, log, run, stream, abort } = setup(events, {
        shared: port,
        batchSize: 1000,
        scope: 'W1',
      });
      stream.only = ofW1;
      aborts.push(abort);
      await follower.resumeSavedFold();
      expect(reads).toEqual([name]);
      expect(log.notices[0]?.message).toBe(
        "Started from warehouse W1's shared checkpoint at #20,000; reading the 10,000 events stored since.",
      );
      void run();
      await vi.waitFor(() => expect(follower.progress.isCaughtUp).toBe(true));
      expect(follower.ledger.lastSeq).toBe(30_000);
      expect(follower.start).toEqual({
        from: 'checkpoint',
        seq: 20_000,
        folded: events.slice(20_000).filter(ofW1).length,
        scope: 'W1',
      });
      expect(stream.pumps).toEqual([]);
      const alone = applyBatch(initialLedger(), events.filter(ofW1));
      expect(follower.ledger.stock).toEqual(alone.stock);
      expect(follower.ledger.sales).toEqual({ ...alone.sales, lastSeq: alone.sales.lastSeq });
      expect(follower.reads('W1')).toBe(true);
      expect(follower.reads('W0')).toBe(false);
      expect(follower.warehouses).toEqual(['W1']);
    });

    it('given no saved views and a checkpoint, then it starts from the checkpoint and replays only the tail', async () => {
      const events = history(30_000);
      const shared = sharedCheckpoints(events, [10_000, 20_000]);
      const { follower, log, run, stream, abort } = setup(events, { shared: shared.port, batchSize: 1000 });
      aborts.push(abort);
      await follower.resumeSavedFold();
      expect(shared.reads).toEqual([checkpointName(LEDGER_SNAPSHOT_VERSION, 20_000)]);
      expect(log.notices).toEqual([
        {
          level: 'info',
          message: 'Started from the shared checkpoint at #20,000; reading the 10,000 events stored since.',
        },
      ]);
      void run();
      await settle();
      await vi.waitFor(() => expect(follower.ledger.lastSeq).toBe(30_000));
      expect(stream.pumps[0]?.[0] ?? stream.replays[0]).toBe(20_001);
      expect(follower.start).toEqual({ from: 'checkpoint', seq: 20_000, folded: 10_000, scope: null });
      expect(ledgerViews(follower.ledger)).toEqual(viewsOf(events));
    });

    it('given saved views as far on as the checkpoint, then the checkpoint is not read', async () => {
      const store = memoryStore();
      const events = history(400);
      const earlier = setup(events.slice(0, 300), { store });
      aborts.push(earlier.abort);
      void earlier.run();
      await settle();
      const shared = sharedCheckpoints(events, [300]);
      const later = setup(events, { store, shared: shared.port });
      await later.follower.resumeSavedFold();
      expect(shared.reads).toEqual([]);
      expect(later.follower.start).toEqual({ from: 'saved', seq: 300, folded: 0, scope: null });
    });

    it('given only checkpoints of another version or a recreated stream, then it says why and reads the whole stream', async () => {
      const events = history(10_000);
      const other = sharedCheckpoints(events, [9000], { viewsVersion: LEDGER_SNAPSHOT_VERSION + 1 });
      const { follower, log } = setup(events, { shared: other.port });
      await follower.resumeSavedFold();
      expect(follower.ledger.lastSeq).toBe(0);
      expect(log.notices[0]?.message).toBe(
        `No shared checkpoint was used (1 written for views version ${LEDGER_SNAPSHOT_VERSION + 1} ` +
          `(this is version ${LEDGER_SNAPSHOT_VERSION})); reading the whole stream.`,
      );
      const recreated = sharedCheckpoints(events, [9000], { streamCreated: 'earlier' });
      const again = setup(events, { shared: recreated.port });
      await again.follower.resumeSavedFold();
      expect(again.follower.ledger.lastSeq).toBe(0);
      expect(again.log.notices[0]?.message).toMatch(/a stream that has been recreated since/);
    });

    it('given a damaged checkpoint, then a warning says why and the whole stream is read', async () => {
      const events = history(10_000);
      const shared = sharedCheckpoints(events, [9000]);
      const object = [...shared.objects.values()][0]!;
      object.bytes = object.bytes.slice(0, object.bytes.length - 10);
      const { follower, log } = setup(events, { shared: shared.port });
      await follower.resumeSavedFold();
      expect(follower.ledger.lastSeq).toBe(0);
      expect(log.notices).toEqual([
        {
          level: 'warning',
          message: 'The shared checkpoint at #9000 was not used (cut short); reading the stream instead.',
        },
      ]);
    });

    it('given a rebuild, then the saved copy is forgotten and the stream is folded from sequence 1', async () => {
      const events = history(12_000);
      const shared = sharedCheckpoints(events, [10_000]);
      const { follower, store, stream, abort, log } = setup(events, { shared: shared.port, batchSize: 1000 });
      await follower.resumeSavedFold();
      let run = new AbortController();
      aborts.push(abort, run);
      void follower.follow(run.signal);
      await vi.waitFor(() => expect(follower.ledger.lastSeq).toBe(12_000));
      follower.rebuild();
      run.abort();
      expect(follower.ledger.lastSeq).toBe(0);
      expect(log.notices.at(-1)?.message).toBe('Rebuilding every view from the stream, from sequence 1.');
      run = new AbortController();
      aborts.push(run);
      void follower.follow(run.signal);
      await vi.waitFor(() => expect(follower.ledger.lastSeq).toBe(12_000));
      expect(follower.start).toEqual({ from: 'stream', seq: 0, folded: 12_000, scope: null });
      expect(stream.pumps.at(-1)?.[0]).toBe(1);
      expect(store.saved.size).toBeLessThanOrEqual(1);
      expect(ledgerViews(follower.ledger)).toEqual(viewsOf(events));
    });
  });

  describe('given the stream was recreated or rewound between two runs', () => {
    async function followedOnce() {
      const store = memoryStore();
      const s = setup(history(205).slice(0, 200), { store });
      aborts.push(s.abort);
      const first = new AbortController();
      void s.follower.follow(first.signal);
      await settle();
      first.abort();
      await settle();
      expect(store.saved.size).toBe(1);
      return s;
    }

    it('when it was recreated, then every view is rebuilt from sequence 1 and the saved copy is forgotten', async () => {
      const s = await followedOnce();
      const fresh = history(50);
      s.stream.events = fresh;
      s.stream.created = '2026-12-02T10:00:00Z';
      const checkpointsBefore = s.follower.checkpoints;
      void s.run();
      await settle();
      expect(s.log.notices[0]).toEqual({
        level: 'warning',
        message: 'The event stream was recreated or rewound on the server; rebuilding every view from it.',
      });
      expect(s.stream.replays).toEqual([1, 1]);
      expect(ledgerViews(s.follower.ledger)).toEqual(viewsOf(fresh));
      expect(s.follower.checkpoints).not.toBe(checkpointsBefore);
      expect(s.follower.lastEventMs).toBe(Math.max(...fresh.map(eventTimeOf)));
      // Saved again, from the new stream.
      expect((s.store.saved.get('key') as { streamCreated: string }).streamCreated).toBe(
        '2026-12-02T10:00:00Z',
      );
    });

    it('when it was rewound (same creation time, shorter), then the same', async () => {
      const s = await followedOnce();
      s.stream.events = s.stream.events.slice(0, 120);
      void s.run();
      await settle();
      expect(s.log.notices).toHaveLength(1);
      expect(s.stream.replays).toEqual([1, 1]);
      expect(s.follower.ledger.lastSeq).toBe(120);
    });

    it('when it only grew, then the fold resumes where it was', async () => {
      const s = await followedOnce();
      s.stream.append(history(205).slice(200));
      void s.run();
      await settle();
      expect(s.log.notices).toEqual([]);
      expect(s.stream.replays).toEqual([1, 201]);
    });
  });

  it('reports the replay rate from the clock it was given', async () => {
    const events = history(200);
    const { stream, log, follower, abort, run, tick } = setup(events.slice(0, 100), { batchSize: 100 });
    aborts.push(abort);
    void run();
    await settle();
    tick(1000);
    stream.append(events.slice(100, 200));
    await settle();
    expect(follower.progress.current().eventsPerSecond).toBe(100);
    expect(log.progress).toHaveLength(1);
  });
});

describe('WarehouseFollower with the snapshot scheduler', () => {
  afterEach(() => vi.useRealTimers());

  it('given a long replay, then snapshots come once a second while it catches up and at once when it has', async () => {
    vi.useFakeTimers({ now: T0 });
    const stream = new FakeStream([], 1000);
    let posts = 0;
    const sink: FollowerSink = {
      changed: () => snapshots.schedule(),
      caughtUp: () => snapshots.flush(),
      progress: () => undefined,
      notice: () => undefined,
      pumpFailed: () => undefined,
    };
    const follower = new WarehouseFollower(stream, new FoldPersistence(memoryStore(), 'key'), sink);
    // A page that shows each snapshot as soon as it has it (docs/architecture.md#one-snapshot-in-flight).
    const snapshots = new SnapshotScheduler(
      () => {
        posts += 1;
        void Promise.resolve().then(() => snapshots.shown());
        return 'rendered';
      },
      () => follower.progress.isCaughtUp,
    );
    // The pump stands in for a slow receiver: one batch of 1,000 every 400 ms, 8,000 in all.
    const events = history(8001);
    stream.events = events.slice(0, 8000);
    stream.pump = async function* (fromSeq: number, untilSeq: number) {
      for (let next = fromSeq; next <= untilSeq; next += 1000) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        const to = Math.min(untilSeq, next + 999);
        yield {
          messages: Array.from({ length: to - next + 1 }, (_, i) => ({ seq: next + i }) as RawMessage),
          caughtUp: to >= 8000,
          streamLastSeq: 8000,
        };
      }
    };
    const abort = new AbortController();
    void follower.follow(abort.signal);
    await vi.advanceTimersByTimeAsync(400 * 7 + 1);
    // Seven batches by 2.8 s: snapshots at 1.4 s and 2.6 s, asked for by the batches at 0.4 s and 1.6 s.
    expect(posts).toBe(2);
    await vi.advanceTimersByTimeAsync(400);
    // The eighth batch catches up: posted at once, not a second later.
    expect(posts).toBe(3);
    expect(follower.progress.isCaughtUp).toBe(true);
    stream.append(events.slice(8000));
    await vi.advanceTimersByTimeAsync(29);
    expect(posts).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(posts).toBe(4);
    abort.abort();
    snapshots.stop();
  });
});
