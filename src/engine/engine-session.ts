/**
 * Everything one sign-in creates — the connection, the warehouse fold and its saved copy, the KV mirrors, the
 * low-stock feed, the time machine, the outbox, the snapshot cadence and the followers that feed them — owned
 * by one object with one end. Signing out, and signing in again, close the session and start from a new
 * one, so nothing of one person's session can leak into the next (docs/architecture.md#dashboard).
 */
import { forgetCommand, keepCommand, keptCommands, keptCommandsOwner } from './kept-commands';
import { resumedOutcomeNotice } from './resumed-notice';
import { checkReversal } from '../core/undo-memory';
import { decodeStockMessage } from '../core/codec';
import { stockSubject, subjectWarehouse, type HeaderNames } from '../core/events';
import type { Grants, WarehouseScope } from '../core/grants';
import { ledgerViews } from '../core/ledger';
import {
  foldScope,
  keyInScope,
  narrowViews,
  NO_INTEREST,
  pastWarehouse,
  type ViewInterest,
} from '../core/view-interest';
import { hasWarehouseId } from '../core/warehouse-ids';
import { decodeWarehouseIndex, warehouseIndexName } from '../core/warehouse-index';
import { usableCheckpoint } from '../core/checkpoint-catalog';
import { LEDGER_SNAPSHOT_VERSION } from '../core/ledger-snapshot';
import { startRestartLoop, type RestartLoop } from '../lib/restart-loop';
import { connectBrowser, type NatsConnection } from '../nats/connect-browser';
import { classifyNatsError, classifySignInError, describeNatsError } from '../nats/errors';
import { putThreshold, watchBucket } from '../nats/kv-watch';
import { BUCKETS, STREAMS } from '../core/resources';
import { personInboxPrefix } from '../nats/names';
import { checkResources } from '../nats/provision';
import { pushReplay } from '../nats/push-replay';
import { replayStream, streamState } from '../nats/replay';
import { watchConnection } from '../nats/status';
import { readGrants } from '../nats/user-info';
import { AlertFeed } from './alert-feed';
import { natsCheckpointPort } from './checkpoint-port';
import { FoldPersistence } from './fold-persistence';
import { KvMirror } from './kv-mirror';
import { Outbox, type KeptCommand } from './outbox';
import { natsOutboxPort, WAREHOUSE_DUPLICATE_WINDOW_MS } from './outbox-port';
import type {
  Credentials,
  EngineSnapshot,
  FromEngine,
  PublishCommand,
  PublishOutcome,
  ThresholdOutcome,
} from './protocol';
import { pumpReplay } from './replay-pump-client';
import { SnapshotScheduler } from './snapshot-scheduler';
import { indexedDbFoldStore, snapshotKey } from './snapshot-store';
import { PastStartingPoints } from './past-starting-points';
import { sleep } from '../lib/backoff';
import { diffTrees } from '../lib/structural-delta';
import { sameShown, sameValue, TICKING_REFRESH_MS } from './snapshot-change';
import { TimeMachine, type PastState, type Seeking } from './time-machine';
import type { SharedCheckpoints } from './checkpoint-port';
import { WarehouseFollower, type FoldScope, type WarehouseStream } from './warehouse-follower';

export type Post = (message: FromEngine) => void;

/**
 * How long the first fold waits for the pages to say what they show, once signed in: they mount on the
 * sign-in's answer and say it at once; a page that shows nothing of the fold (an event log of every warehouse)
 * never does, and the chain is folded then.
 */
const FIRST_INTEREST_WAIT_MS = 1_500;

/** A follower that ran this long before it failed starts over with the shortest pause. */
const HEALTHY_RUN_MS = 30_000;

export class EngineSession {
  private readonly abort = new AbortController();
  private readonly inboxPrefix: string;
  private readonly sharedCheckpoints: SharedCheckpoints;
  /** The live fold, of one warehouse or of the chain (see `fitFold`); replaced when the pages need more. */
  private fold: WarehouseFollower;
  /** Whether `fold` has looked for its saved copy and shared checkpoint yet. */
  private foldResumed = false;
  /** The pages have said what they show of the fold: the first fold waits a moment for that. */
  private interestKnown!: () => void;
  private readonly interestSaid = new Promise<void>((resolve) => (this.interestKnown = resolve));
  /** The chain's warehouses from the checkpointer's index: offered before, or without, folding them. */
  private indexedWarehouses: readonly string[] = [];
  /** The saved copy of each scope folded in this session, by its key; signing out removes them all. */
  private readonly savedFolds = new Map<string, FoldPersistence>();
  private kvLevels = new KvMirror();
  /** The bucket keys followed now (see levelsFilter), and how to stop following them. */
  private levels: { filter: string | null; stop: AbortController } | null = null;
  private readonly thresholds = new KvMirror();
  private readonly workers = new KvMirror();
  private readonly alerts = new AlertFeed();
  private readonly snapshots: SnapshotScheduler;
  private readonly timeMachine: TimeMachine;
  /** The moment shown while the person looks at the past. */
  private past: PastState | null = null;
  /** A moment asked for whose events are still being read. */
  private seeking: Seeking | null = null;
  /** The last snapshot posted, and when: the next shows the pages something new or is not sent. */
  private lastPosted: { snapshot: EngineSnapshot; atMs: number } | null = null;
  /**
   * After an `applied`, the full snapshot due when the refresh window ends: what only ticked (the progress, the
   * events replayed) reaches the pages then, also when no later event asks for a snapshot.
   */
  private trailingRefresh: ReturnType<typeof setTimeout> | null = null;
  private interest: ViewInterest = NO_INTEREST;
  /** Unsent commands; it lives and ends with the connection follower. */
  private outbox: Outbox | null = null;
  private replay: RestartLoop | null = null;

  /**
   * Connects and checks that the streams are there and what the person may do. Null when that fails, after
   * telling the page why.
   */
  static async open(credentials: Credentials, names: HeaderNames, post: Post): Promise<EngineSession | null> {
    post({ type: 'connection', info: { state: 'connecting', sinceMs: Date.now() } });
    let nc: NatsConnection;
    try {
      nc = await connectBrowser({
        servers: credentials.servers,
        user: credentials.user,
        password: credentials.password,
      });
    } catch (error) {
      const verdict = classifySignInError(error);
      post({ type: 'sign-in-failed', kind: verdict.kind, message: verdict.message });
      post({ type: 'connection', info: { state: 'closed', sinceMs: Date.now(), detail: verdict.message } });
      return null;
    }
    let grants: Grants;
    try {
      await checkResources(nc);
      grants = await readGrants(nc);
    } catch (error) {
      post({ type: 'sign-in-failed', kind: 'no_stream', message: describeNatsError(error) });
      await nc.close().catch(() => undefined);
      post({ type: 'connection', info: { state: 'closed', sinceMs: Date.now() } });
      return null;
    }
    return new EngineSession(nc, names, credentials, grants, post);
  }

  private constructor(
    /** For the audit trail and the event log, which read the stream themselves. */
    readonly nc: NatsConnection,
    /** The deployment's event header names (config.json's headerPrefix), for every read and publish. */
    readonly names: HeaderNames,
    private readonly credentials: Credentials,
    private readonly grants: Grants,
    private readonly post: Post,
  ) {
    this.inboxPrefix = personInboxPrefix(credentials.user);
    this.snapshots = new SnapshotScheduler(
      (mayRender) => this.postSnapshot(mayRender),
      () => this.fold.progress.isCaughtUp,
    );
    const sharedCheckpoints = natsCheckpointPort(nc);
    this.sharedCheckpoints = sharedCheckpoints;
    this.fold = this.follower(null);
    this.timeMachine = new TimeMachine(
      (fromSeq, warehouse, signal) =>
        pushReplay(nc, {
          stream: STREAMS.warehouse,
          fromSeq,
          signal,
          ...(warehouse === null ? {} : { filterSubject: stockSubject(warehouse, '>') }),
          batchSize: 1000,
          inboxPrefix: this.inboxPrefix,
        }),
      (m) => decodeStockMessage(m, this.names),
      // Read through the follower each time: a rebuilt fold comes with new checkpoints.
      new PastStartingPoints(
        sharedCheckpoints,
        () => ({
          checkpoints: this.fold.checkpoints,
          streamCreated: this.fold.streamCreatedAt,
          lastSeq: this.fold.ledger.lastSeq,
          scope: this.fold.scope,
        }),
        (message) => post({ type: 'notice', level: 'warning', message: `time travel: ${message}` }),
        () => Date.now(),
      ),
      (state) => {
        this.past = state;
        this.snapshots.schedule();
      },
      (seeking) => {
        this.seeking = seeking;
        this.snapshots.schedule();
      },
      (error) =>
        post({ type: 'notice', level: 'warning', message: `time travel: ${describeNatsError(error)}` }),
      () => Date.now(),
    );
  }

  /** The live fold of a scope, with its own saved copy in this browser. */
  private follower(scope: FoldScope): WarehouseFollower {
    const { credentials, names, post } = this;
    const chainKey = snapshotKey(credentials.servers, STREAMS.warehouse, names);
    const key = scope === null ? chainKey : `${chainKey}|warehouse=${scope}`;
    const saved = this.savedFolds.get(key) ?? new FoldPersistence(indexedDbFoldStore, key);
    this.savedFolds.set(key, saved);
    // A fold replaced while a batch was in hand says nothing more to the pages about itself.
    const current = () => this.fold === follower;
    const follower: WarehouseFollower = new WarehouseFollower(
      this.warehouseStream(scope),
      saved,
      {
        changed: () => this.snapshots.schedule(),
        caughtUp: () => this.snapshots.flush(),
        progress: (progress) => current() && post({ type: 'progress', progress }),
        notice: (level, message) => current() && post({ type: 'notice', level, message }),
        pumpFailed: (error) => console.warn(`replay pump: ${describeNatsError(error)}`),
      },
      () => Date.now(),
      this.sharedCheckpoints,
      scope,
    );
    return follower;
  }

  /**
   * Makes the live fold read what the pages on screen need (docs/architecture.md#one-warehouse-or-the-chain):
   * one warehouse's subjects while they show that warehouse alone, the chain once they show more. A chain's fold
   * is kept when the pages narrow again: it holds every warehouse, and reading it again would cost seconds.
   */
  private fitFold(): boolean {
    const wanted = foldScope(this.interest);
    const current = this.fold.scope;
    if (wanted === undefined || wanted === current) return false;
    if (current === null && this.foldResumed) return false;
    this.fold = this.follower(wanted);
    this.foldResumed = false;
    this.timeMachine.live();
    return true;
  }

  /**
   * One run of the live fold; a fold replaced meanwhile starts its own run at once. The first waits a moment for
   * the pages to say what they show, which decides what it reads (`fitFold` replaces it meanwhile).
   */
  private async followFold(signal: AbortSignal): Promise<void | 'again'> {
    const fold = this.fold;
    if (!this.foldResumed) {
      await Promise.race([this.interestSaid, sleep(FIRST_INTEREST_WAIT_MS, signal)]);
      if (fold !== this.fold || signal.aborted) return fold === this.fold ? undefined : 'again';
      this.foldResumed = true;
      await fold.resumeSavedFold();
    }
    if (fold === this.fold && !signal.aborted) await fold.follow(signal);
    return fold === this.fold ? undefined : 'again';
  }

  /**
   * Tells the page it is signed in and starts following; the fold starts from the views saved in this browser or
   * a shared checkpoint once the pages have said what they show.
   */
  start(): void {
    // Signed out meanwhile: the page has already been told the session closed.
    if (this.abort.signal.aborted) return;
    this.fitFold();
    this.post({
      type: 'signed-in',
      user: this.credentials.user,
      serverVersion: this.nc.info?.version ?? 'unknown',
      grants: this.grants,
    });
    this.post({ type: 'connection', info: { state: 'connected', sinceMs: Date.now() } });
    void this.readWarehouseIndex();
    void this.followConnection();
    this.replay = this.supervise('warehouse replay', (signal) => this.followFold(signal));
    this.followLevels();
    this.supervise('thresholds', (signal) =>
      this.followBucket(BUCKETS.stockThresholds, this.thresholds, signal),
    );
    this.supervise('worker status', (signal) =>
      this.followBucket(BUCKETS.workerStatus, this.workers, signal),
    );
    this.supervise('low-stock alerts', (signal) => this.followAlerts(signal));
  }

  /**
   * The chain's warehouses from the checkpointer's index (src/core/warehouse-index.ts), so that a page can show
   * one before anything is folded, and the fold then reads that one alone. Without an index of this stream and
   * views version, the pages offer the warehouses folded.
   */
  private async readWarehouseIndex(): Promise<void> {
    try {
      const [tag, state] = await Promise.all([
        this.sharedCheckpoints.find(warehouseIndexName(LEDGER_SNAPSHOT_VERSION)),
        streamState(this.nc, STREAMS.warehouse),
      ]);
      const now = {
        viewsVersion: LEDGER_SNAPSHOT_VERSION,
        streamCreated: state.created,
        lastSeq: state.lastSeq,
      };
      if (!tag || !usableCheckpoint(tag, now)) return;
      const warehouses = decodeWarehouseIndex(await this.sharedCheckpoints.read(tag.name));
      if (warehouses === null || this.abort.signal.aborted) return;
      this.indexedWarehouses = warehouses;
      this.snapshots.flush();
    } catch (error) {
      console.warn(`warehouse index: ${describeNatsError(error)}`);
    }
  }

  async publish(command: PublishCommand): Promise<PublishOutcome> {
    if (this.nc.isClosed() || !this.outbox)
      return { ok: false, kind: 'offline', message: 'The connection is closed; sign in again.' };
    const { event, warehouse, id } = command;
    // An event of a known id (a stocktake imported again) was stored already: nothing new is published.
    if (
      id !== undefined &&
      this.fold.reads(warehouse) &&
      hasWarehouseId(this.fold.ledger.seenIds, warehouse, id)
    ) {
      return { ok: true, id, seq: null, duplicate: true };
    }
    // Only the fold knows whether the event is still remembered and not yet undone (docs/architecture.md#undo);
    // a reversal it would refuse is not published, rather than stored to change nothing.
    if (event.type === 'stock.reversed' && this.fold.reads(warehouse)) {
      const check = checkReversal(this.fold.ledger.undo, { warehouse, product: event.product_name }, event);
      if (!check.ok) return { ok: false, kind: 'invalid', message: `this undo ${check.message}.` };
    }
    return this.outbox.submit(command);
  }

  async setThreshold(key: string, threshold: number): Promise<ThresholdOutcome> {
    try {
      await putThreshold(this.nc, key, threshold);
      return { ok: true };
    } catch (error) {
      return { ok: false, message: describeNatsError(error) };
    }
  }

  /** What the pages show changed: the next snapshot, sent now, carries that. */
  setInterest(interest: ViewInterest): void {
    this.interest = interest;
    if (foldScope(interest) !== undefined) this.interestKnown();
    // Before start() nothing has been posted or followed yet; start() does both.
    if (this.replay === null) {
      this.timeMachine.narrowTo(pastWarehouse(interest) ?? foldScope(interest) ?? null);
      return;
    }
    if (this.fitFold()) this.replay.restart();
    // A fold of one warehouse has nothing of the others' past either.
    this.timeMachine.narrowTo(pastWarehouse(interest) ?? this.fold.scope);
    this.followLevels();
    this.snapshots.flush();
  }

  /** The page has rendered the last snapshot: the next may follow. */
  snapshotShown(): void {
    this.snapshots.shown();
  }

  /** The page could not apply the last change: it is sent everything again, now. */
  snapshotLost(): void {
    this.lastPosted = null;
    this.snapshots.flush();
  }

  /** Shows the views as of a moment, or live again with null. */
  timeTravel(atMs: number | null): void {
    if (atMs === null) this.timeMachine.live();
    else this.timeMachine.jump(atMs);
  }

  play(speed: number): void {
    this.timeMachine.play(speed);
  }

  /** "Rebuild from the stream": the whole stream folded again, neither the saved copy nor a checkpoint used. */
  rebuild(): void {
    this.timeMachine.live();
    this.fold.rebuild();
    this.replay?.restart();
  }

  /** Signing out removes the saved views: the next person at this browser must sign in to see them. */
  async forgetSavedFold(): Promise<void> {
    await Promise.all([...this.savedFolds.values()].map((saved) => saved.forget().catch(() => undefined)));
  }

  /**
   * The one end of a session: stops every follower and the time machine, posts nothing more of it, and
   * closes the connection. The outbox tells the page what it could not send.
   */
  async close(): Promise<void> {
    this.abort.abort();
    this.snapshots.stop();
    if (this.trailingRefresh !== null) clearTimeout(this.trailingRefresh);
    this.timeMachine.stop();
    this.past = null;
    this.seeking = null;
    await this.nc.close().catch(() => undefined);
    this.post({ type: 'connection', info: { state: 'closed', sinceMs: Date.now() } });
  }

  /**
   * Runs a follower until the session ends: nats.js gives up on an ordered consumer that cannot be recreated
   * (docs/platform-notes.md#the-natsjs-client), so every follower is restarted with backoff, resuming from
   * what it already holds.
   */
  private supervise(
    what: string,
    follow: (signal: AbortSignal) => Promise<void | 'again'>,
    signal: AbortSignal = this.abort.signal,
  ): RestartLoop {
    return startRestartLoop({
      signal,
      healthyRunMs: HEALTHY_RUN_MS,
      run: follow,
      // A request that timed out has waited already; during a cluster's leader election the next one often
      // succeeds, so timeouts keep the short pause instead of growing it.
      holdsPause: (error) => classifyNatsError(error).kind === 'timeout',
      onPause: (end) => {
        if (end.threw)
          this.post({
            type: 'notice',
            level: 'warning',
            message: `${what}: ${describeNatsError(end.error)}; retrying`,
          });
      },
    });
  }

  private async followConnection(): Promise<void> {
    const { signal } = this.abort;
    let previous: string | null = null;
    const device = this.keptOnDevice();
    const resumed = new Map<string, KeptCommand>();
    const box = new Outbox(
      natsOutboxPort(
        this.nc,
        this.names,
        this.credentials.user,
        (subject) => {
          const warehouse = subjectWarehouse(subject);
          const { ledger } = this.fold;
          if (warehouse === null || !this.fold.reads(warehouse)) return null;
          return {
            foldedThrough: ledger.stock.subjectSeqs.get(warehouse)?.get(subject) ?? 0,
            has: (id) => hasWarehouseId(ledger.seenIds, warehouse, id),
          };
        },
        device,
      ),
      { duplicateWindowMs: WAREHOUSE_DUPLICATE_WINDOW_MS },
      {
        settled: (id, outcome) => {
          this.post({ type: 'publish-settled', id, outcome });
          const earlier = resumed.get(id);
          if (earlier) this.post(resumedOutcomeNotice(earlier, outcome));
          resumed.delete(id);
        },
        changed: (queued) => this.post({ type: 'outbox', queued }),
      },
    );
    this.outbox = box;
    void device.load().then((kept) => {
      for (const command of kept) resumed.set(command.id, command);
      if (kept.length > 0) box.resume(kept);
    });
    for await (const change of watchConnection(this.nc, signal)) {
      box.setConnected(change.state === 'connected');
      this.post({
        type: 'connection',
        info: {
          state: change.state === 'disconnected' ? 'offline' : change.state,
          sinceMs: change.atMs,
          detail: change.detail,
          ...(change.refused ? { refused: true } : {}),
        },
      });
      // A reconnect may follow a server restart with a wiped or recreated stream: re-check from the top.
      if (change.state === 'connected' && previous !== null && previous !== 'connected')
        this.replay?.restart();
      previous = change.state;
    }
    box.close(signal.aborted ? 'You signed out' : 'The connection closed');
    this.outbox = null;
  }

  /**
   * The outbox's commands as kept on this device for this person (src/engine/kept-commands.ts). Writes go one
   * after another, so a command's deletion can never be overtaken by an earlier write of it; a device that
   * cannot keep them (a private window, no quota) is said once, and the session goes on without.
   */
  private keptOnDevice() {
    const owner = keptCommandsOwner(
      this.credentials.servers,
      STREAMS.warehouse,
      this.names,
      this.credentials.user,
    );
    let writes: Promise<void> = Promise.resolve();
    let warned = false;
    const write = (action: () => Promise<void>) => {
      writes = writes.then(action).catch((error: unknown) => {
        if (warned) return;
        warned = true;
        this.post({
          type: 'notice',
          level: 'warning',
          message: `Waiting commands cannot be kept on this device (${String(error)}): closing this tab would lose them.`,
        });
      });
    };
    return {
      keep: (command: KeptCommand) => write(() => keepCommand(owner, command)),
      forget: (id: string) => write(() => forgetCommand(owner, id)),
      load: () => keptCommands(owner).catch(() => [] as KeptCommand[]),
    };
  }

  /**
   * The warehouse stream as the follower of a scope reads it: on this connection (one warehouse's subjects, or
   * all), or through the replay pump.
   */
  private warehouseStream(scope: FoldScope): WarehouseStream {
    const { nc, credentials, inboxPrefix } = this;
    return {
      state: () => streamState(nc, STREAMS.warehouse),
      replay: (fromSeq, signal) =>
        pushReplay(nc, {
          stream: STREAMS.warehouse,
          fromSeq,
          signal,
          batchSize: 1000,
          inboxPrefix,
          ...(scope === null ? {} : { filterSubject: stockSubject(scope, '>') }),
        }),
      pump: (fromSeq, untilSeq, signal) =>
        pumpReplay(
          {
            servers: credentials.servers,
            user: credentials.user,
            password: credentials.password,
            inboxPrefix,
            stream: STREAMS.warehouse,
            fromSeq,
            untilSeq,
          },
          signal,
        ),
      decode: (m) => decodeStockMessage(m, this.names),
    };
  }

  /**
   * Follows the keys of the projector's bucket that the pages show, and only those: a chain's bucket has 100k
   * keys, which a one-warehouse page has no use for (docs/architecture.md#what-a-page-is-sent). A change of
   * what is shown starts over with an empty mirror.
   */
  private followLevels(): void {
    const filter = levelsFilter(this.interest.kvLevels);
    if (this.levels !== null && this.levels.filter === filter) return;
    this.levels?.stop.abort();
    this.kvLevels = new KvMirror();
    this.levels = null;
    if (filter === null) return;
    const stop = new AbortController();
    this.abort.signal.addEventListener('abort', () => stop.abort(), { once: true });
    const mirror = this.kvLevels;
    this.levels = { filter, stop };
    this.supervise(
      'stock levels',
      (signal) => this.followBucket(BUCKETS.stockLevels, mirror, signal, filter === '>' ? undefined : filter),
      stop.signal,
    );
  }

  private async followBucket(
    bucket: string,
    mirror: KvMirror,
    signal: AbortSignal,
    key?: string,
  ): Promise<void> {
    for await (const update of watchBucket(this.nc, {
      bucket,
      signal,
      ...(key === undefined ? {} : { key }),
    })) {
      mirror.apply(update.entries, update.initialDone);
      this.snapshots.schedule();
    }
  }

  private async followAlerts(signal: AbortSignal): Promise<void> {
    for await (const batch of replayStream(this.nc, {
      stream: STREAMS.procurement,
      fromSeq: this.alerts.lastSeq + 1,
      signal,
      batchSize: 500,
    })) {
      this.alerts.apply(batch.messages, this.names);
      this.snapshots.schedule();
    }
  }

  /**
   * Posts what the pages on screen show; when that is what they were last sent, only how far the fold has got
   * (docs/architecture.md#nothing-new-to-show). With `mayRender` false (the page is still rendering the last
   * one), something new is held back: see SnapshotScheduler.
   */
  private postSnapshot(mayRender: boolean): 'rendered' | 'applied' | 'held' {
    const snapshot = this.buildSnapshot();
    const nowMs = Date.now();
    const last = this.lastPosted;
    if (
      last &&
      this.fold.progress.isCaughtUp &&
      (!mayRender || nowMs - last.atMs < TICKING_REFRESH_MS) &&
      sameShown(last.snapshot, snapshot)
    ) {
      this.post({ type: 'applied', seq: snapshot.views.lastSeq, since: last.snapshot.views.lastSeq });
      if (this.trailingRefresh === null && !sameValue(last.snapshot, snapshot)) {
        this.trailingRefresh = setTimeout(
          () => {
            this.trailingRefresh = null;
            this.snapshots.schedule();
          },
          Math.max(0, TICKING_REFRESH_MS - (nowMs - last.atMs)),
        );
      }
      return 'applied';
    }
    if (!mayRender) return 'held';
    this.lastPosted = { snapshot, atMs: nowMs };
    this.post({ type: 'progress', progress: this.fold.progress.current() });
    this.post({
      type: 'snapshot',
      delta: last ? diffTrees(last.snapshot, snapshot) : { k: 'value', v: snapshot },
    });
    return 'rendered';
  }

  private buildSnapshot(): EngineSnapshot {
    const { past, seeking, interest } = this;
    return {
      views: narrowViews(ledgerViews(this.fold.ledger), interest, 'live'),
      warehouses: mergedNames(this.indexedWarehouses, this.fold.warehouses),
      past: past && {
        atMs: past.atMs,
        speed: past.speed,
        warehouse: past.warehouse,
        views: narrowViews(ledgerViews(past.ledger), interest, 'past'),
      },
      seeking: seeking && {
        atMs: seeking.atMs,
        read: seeking.read,
      },
      lastEventMs: this.fold.lastEventMs,
      start: this.fold.start,
      kvLevels: this.kvLevels.levels((key) => keyInScope(interest.kvLevels, key)),
      kvReady: this.kvLevels.ready,
      thresholds: this.thresholds.thresholds(),
      alerts: this.alerts.newest(),
      alertProblems: this.alerts.problems,
      workers: this.workers.json(),
    };
  }
}

/** Two lists of names as one, in code-point order, each once. */
function mergedNames(a: readonly string[], b: readonly string[]): string[] {
  if (a.length === 0) return [...b];
  return [...new Set([...a, ...b])].sort();
}

/**
 * The bucket keys to follow for a scope: none, one warehouse's (`46.>`), or all of them (`>`), also for several
 * warehouses, which the snapshot then narrows.
 */
function levelsFilter(scope: WarehouseScope): string | null {
  if (scope === 'all') return '>';
  if (scope.length === 0) return null;
  return scope.length === 1 ? `${scope[0]}.>` : '>';
}
