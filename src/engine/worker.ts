/// <reference lib="webworker" />
/**
 * The engine: owns the page's NATS connection, replays WAREHOUSE_EVENTS once into every view, follows live,
 * watches the KV buckets and the low-stock feed, and posts coalesced snapshots to the page.
 */
import { decodeStockMessage } from '../core/codec';
import { headerNames, type HeaderNames } from '../core/events';
import { hasId } from '../core/id-set';
import { applyBatch, initialLedger, ledgerViews, type LedgerState } from '../core/ledger';
import { connectBrowser } from '../nats/connect-browser';
import { classifyNatsError, describeNatsError, classifySignInError } from '../nats/errors';
import { checkResources } from '../nats/provision';
import { pushReplay } from '../nats/push-replay';
import { replayStream, streamState, type ReplayBatch } from '../nats/replay';
import { watchBucket, putThreshold } from '../nats/kv-watch';
import { watchConnection } from '../nats/status';
import { BUCKETS, STREAMS } from '../core/resources';
import { personInboxPrefix } from '../nats/names';
import type { NatsConnection } from '../nats/connect-browser';
import { AlertFeed } from './alert-feed';
import { handleAuditRequest } from './audit-port';
import { handleEventLogRequest } from './event-log-port';
import { Checkpoints } from './checkpoints';
import { FoldPersistence } from './fold-persistence';
import { indexedDbFoldStore, snapshotKey } from './snapshot-store';
import { eventTime, TimeMachine, type PastState } from './time-machine';
import { KvMirror } from './kv-mirror';
import { ProgressMeter } from './progress-meter';
import { pumpReplay } from './replay-pump-client';
import { Outbox } from './outbox';
import { natsOutboxPort, WAREHOUSE_DUPLICATE_WINDOW_MS } from './outbox-port';
import type { Credentials, FromEngine, PublishCommand, PublishOutcome, ToEngine } from './protocol';
import type { Grants } from '../core/grants';
import { readGrants } from '../nats/user-info';

/**
 * Live, an event waits at most this long for the next snapshot; at 1,000 events/s that wait is most of the
 * latency a viewer sees (npm run bench: p50 50 ms with 50 here).
 */
const SNAPSHOT_INTERVAL_MS = 30;
/**
 * While a long replay catches up, the page gains nothing from 20 full snapshots a second (the figures are not
 * final yet) and each costs a structured clone here and a render there.
 */
const CATCH_UP_SNAPSHOT_INTERVAL_MS = 1000;
const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000];

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: FromEngine) => scope.postMessage(message);
/** The deployment's event header names, from the page's config.json: set by each sign-in, before any use. */
let names!: HeaderNames;

interface Session {
  nc: NatsConnection;
  abort: AbortController;
}

let session: Session | null = null;
let ledger: LedgerState = initialLedger();
let streamCreated: string | null = null;
let kvLevels = new KvMirror();
let thresholds = new KvMirror();
let workers = new KvMirror();
let alerts = new AlertFeed();
let lastEventMs: number | null = null;
let oldestEventMs: number | null = null;
let persistence: FoldPersistence | null = null;
let checkpoints = new Checkpoints();
let timeMachine: TimeMachine | null = null;
let past: PastState | null = null;
let snapshotTimer: ReturnType<typeof setTimeout> | null = null;
let restartReplay: (() => void) | null = null;
/** The session's unsent commands; it lives and ends with the connection follower. */
let outbox: Outbox | null = null;
const progress = new ProgressMeter();

scope.onmessage = (event: MessageEvent<ToEngine>) => {
  const message = event.data;
  switch (message.type) {
    case 'audit-trail':
      void handleAuditRequest(session?.nc ?? null, names, message, post);
      break;
    case 'event-log':
      void handleEventLogRequest(session?.nc ?? null, names, message, post);
      break;
    case 'connect':
      names = headerNames(message.headerPrefix);
      void connect(message.credentials);
      break;
    case 'disconnect':
      void signOut();
      break;
    case 'publish':
      void publish(message.command).then((outcome) =>
        post({ type: 'publish-result', requestId: message.requestId, outcome }),
      );
      break;
    case 'time-travel':
      if (message.atMs === null) timeMachine?.live();
      else timeMachine?.jump(message.atMs);
      break;
    case 'play':
      timeMachine?.play(message.speed);
      break;
    case 'set-threshold':
      void setThreshold(message.key, message.threshold).then((outcome) =>
        post({ type: 'threshold-result', requestId: message.requestId, outcome }),
      );
      break;
  }
};

async function connect(credentials: Credentials): Promise<void> {
  await disconnect();
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
    return;
  }
  let grants: Grants;
  try {
    await checkResources(nc);
    grants = await readGrants(nc);
  } catch (error) {
    post({ type: 'sign-in-failed', kind: 'no_stream', message: describeNatsError(error) });
    await nc.close().catch(() => undefined);
    post({ type: 'connection', info: { state: 'closed', sinceMs: Date.now() } });
    return;
  }
  const abort = new AbortController();
  session = { nc, abort };
  const inboxPrefix = personInboxPrefix(credentials.user);
  persistence = new FoldPersistence(
    indexedDbFoldStore,
    snapshotKey(credentials.servers, STREAMS.warehouse, names),
  );
  await resumeSavedFold(nc, persistence);
  timeMachine = new TimeMachine(
    (fromSeq, signal) =>
      pushReplay(nc, { stream: STREAMS.warehouse, fromSeq, signal, batchSize: 1000, inboxPrefix }),
    (m) => decodeStockMessage(m, names),
    { before: (atMs) => checkpoints.before(atMs), complete: (seq, atMs) => checkpoints.complete(seq, atMs) },
    (state) => {
      past = state;
      scheduleSnapshot();
    },
    (error) =>
      post({ type: 'notice', level: 'warning', message: `time travel: ${describeNatsError(error)}` }),
    () => Date.now(),
  );
  post({ type: 'signed-in', user: credentials.user, serverVersion: nc.info?.version ?? 'unknown', grants });
  post({ type: 'connection', info: { state: 'connected', sinceMs: Date.now() } });
  void followConnection(nc, abort.signal);
  void supervise(
    'warehouse replay',
    abort.signal,
    (signal) => followWarehouse(nc, { ...credentials, inboxPrefix }, signal),
    (restart) => {
      restartReplay = restart;
    },
  );
  void supervise('stock levels', abort.signal, (signal) =>
    followBucket(nc, BUCKETS.stockLevels, kvLevels, signal),
  );
  void supervise('thresholds', abort.signal, (signal) =>
    followBucket(nc, BUCKETS.stockThresholds, thresholds, signal),
  );
  void supervise('worker status', abort.signal, (signal) =>
    followBucket(nc, BUCKETS.workerStatus, workers, signal),
  );
  void supervise('low-stock alerts', abort.signal, (signal) => followAlerts(nc, signal));
}

/** Signing out also removes the saved views: the next person at this browser must sign in to see them. */
async function signOut(): Promise<void> {
  await persistence?.forget().catch(() => undefined);
  await disconnect();
}

async function disconnect(): Promise<void> {
  const current = session;
  session = null;
  if (!current) return;
  current.abort.abort();
  timeMachine?.stop();
  timeMachine = null;
  past = null;
  await current.nc.close().catch(() => undefined);
  ledger = initialLedger();
  checkpoints = new Checkpoints();
  lastEventMs = null;
  oldestEventMs = null;
  persistence = null;
  streamCreated = null;
  kvLevels = new KvMirror();
  thresholds = new KvMirror();
  workers = new KvMirror();
  alerts = new AlertFeed();
  progress.reset(0, 0);
  post({ type: 'connection', info: { state: 'closed', sinceMs: Date.now() } });
}

/**
 * Runs a follower forever: nats.js gives up on an ordered consumer that cannot be recreated
 * (docs/platform-notes.md#the-natsjs-client), so every follower is restarted here with backoff, resuming from
 * what it already holds.
 */
async function supervise(
  what: string,
  signal: AbortSignal,
  follow: (signal: AbortSignal) => Promise<void>,
  onRun?: (restart: () => void) => void,
): Promise<void> {
  let attempt = 0;
  while (!signal.aborted) {
    const run = new AbortController();
    const stop = () => run.abort();
    signal.addEventListener('abort', stop, { once: true });
    onRun?.(stop);
    const startedMs = Date.now();
    let timedOut = false;
    try {
      await follow(run.signal);
    } catch (error) {
      if (signal.aborted) return;
      timedOut = classifyNatsError(error).kind === 'timeout';
      post({ type: 'notice', level: 'warning', message: `${what}: ${describeNatsError(error)}; retrying` });
    } finally {
      signal.removeEventListener('abort', stop);
    }
    if (signal.aborted) return;
    // A request that timed out has waited already; during a cluster's leader election the next one often
    // succeeds, so timeouts keep the short pause instead of growing it.
    if (Date.now() - startedMs > 30_000) attempt = 0;
    else if (!timedOut) attempt += 1;
    await sleep(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)] ?? 8000);
  }
}

async function followConnection(nc: NatsConnection, signal: AbortSignal): Promise<void> {
  let previous: string | null = null;
  const box = new Outbox(
    natsOutboxPort(nc, names, () => ({ lastSeq: ledger.lastSeq, has: (id) => hasId(ledger.seenIds, id) })),
    { duplicateWindowMs: WAREHOUSE_DUPLICATE_WINDOW_MS },
    {
      settled: (id, outcome) => post({ type: 'publish-settled', id, outcome }),
      changed: (queued) => post({ type: 'outbox', queued }),
    },
  );
  outbox = box;
  for await (const change of watchConnection(nc, signal)) {
    box.setConnected(change.state === 'connected');
    post({
      type: 'connection',
      info: {
        state: change.state === 'disconnected' ? 'offline' : change.state,
        sinceMs: change.atMs,
        detail: change.detail,
        ...(change.refused ? { refused: true } : {}),
      },
    });
    // A reconnect may follow a server restart with a wiped or recreated stream: re-check from the top.
    if (change.state === 'connected' && previous !== null && previous !== 'connected') restartReplay?.();
    previous = change.state;
  }
  box.close(signal.aborted ? 'You signed out' : 'The connection closed');
  if (outbox === box) outbox = null;
}

/**
 * A backlog at least this long is received by the replay pump (a second worker and connection) while this
 * worker folds; shorter ones are not worth a second connection.
 */
const PUMP_MIN_BACKLOG = 5_000;

async function followWarehouse(
  nc: NatsConnection,
  who: Credentials & { inboxPrefix: string },
  signal: AbortSignal,
): Promise<void> {
  const state = await streamState(nc, STREAMS.warehouse);
  const rewound =
    streamCreated !== null && (state.created !== streamCreated || state.lastSeq < ledger.lastSeq);
  if (rewound) {
    post({
      type: 'notice',
      level: 'warning',
      message: 'The event stream was recreated or rewound on the server; rebuilding every view from it.',
    });
    ledger = initialLedger();
    checkpoints = new Checkpoints();
    lastEventMs = null;
    oldestEventMs = null;
    void persistence?.forget().catch(() => undefined);
  }
  streamCreated = state.created;
  progress.reset(ledger.lastSeq, state.lastSeq);
  postProgress();
  if (state.lastSeq - ledger.lastSeq >= PUMP_MIN_BACKLOG) {
    try {
      const pumped = pumpReplay(
        {
          servers: who.servers,
          user: who.user,
          password: who.password,
          inboxPrefix: who.inboxPrefix,
          stream: STREAMS.warehouse,
          fromSeq: ledger.lastSeq + 1,
          untilSeq: state.lastSeq,
        },
        signal,
      );
      for await (const batch of pumped) foldReplayBatch(batch, state.created);
    } catch (error) {
      // What the pump did not deliver is read below, on this connection.
      console.warn(`replay pump: ${describeNatsError(error)}`);
    }
  }
  for await (const batch of pushReplay(nc, {
    stream: STREAMS.warehouse,
    fromSeq: ledger.lastSeq + 1,
    signal,
    batchSize: 1000,
    inboxPrefix: who.inboxPrefix,
  })) {
    foldReplayBatch(batch, state.created);
  }
}

/** One batch into every view, the time machine's checkpoints, the progress and the saved copy. */
function foldReplayBatch(batch: ReplayBatch, streamCreatedAt: string): void {
  const decoded = batch.messages.map((m) => decodeStockMessage(m, names));
  ledger = applyBatch(ledger, decoded);
  let newest = Number.NEGATIVE_INFINITY;
  let oldest = Number.POSITIVE_INFINITY;
  for (const d of decoded) {
    const at = eventTime(d);
    newest = Math.max(newest, at);
    oldest = Math.min(oldest, at);
  }
  if (decoded.length > 0) {
    lastEventMs = Math.max(lastEventMs ?? Number.NEGATIVE_INFINITY, newest);
    oldestEventMs = Math.min(oldestEventMs ?? Number.POSITIVE_INFINITY, oldest);
  }
  checkpoints.afterBatch(ledger, oldest, newest);
  const wasCaughtUp = progress.isCaughtUp;
  progress.advance(ledger.lastSeq, batch.streamLastSeq, batch.caughtUp, Date.now());
  // Progress travels with the coalesced snapshots, except the moment the replay catches up.
  if (!wasCaughtUp && progress.isCaughtUp) flushSnapshot();
  else scheduleSnapshot();
  persistence
    ?.maybeSave(ledger, batch.caughtUp, {
      streamCreated: streamCreatedAt,
      minEventMs: oldestEventMs ?? Number.POSITIVE_INFINITY,
      maxEventMs: lastEventMs ?? Number.NEGATIVE_INFINITY,
      nowMs: Date.now(),
    })
    ?.catch((error: unknown) =>
      post({
        type: 'notice',
        level: 'warning',
        message: `The views could not be saved in this browser for a faster next start: ${describeNatsError(error)}`,
      }),
    );
}

/** Starts from the views saved by an earlier visit, when they belong to this stream and this version. */
async function resumeSavedFold(nc: NatsConnection, saved: FoldPersistence): Promise<void> {
  let state;
  try {
    state = await streamState(nc, STREAMS.warehouse);
  } catch {
    return; // the replay's own start reports the problem
  }
  const outcome = await saved.restore(state);
  switch (outcome.kind) {
    case 'restored': {
      const { fold } = outcome;
      ledger = fold.ledger;
      streamCreated = state.created;
      lastEventMs = Number.isFinite(fold.maxEventMs) ? fold.maxEventMs : null;
      oldestEventMs = Number.isFinite(fold.minEventMs) ? fold.minEventMs : null;
      checkpoints.resumeFrom(ledger, fold.minEventMs, fold.maxEventMs);
      const newer = state.lastSeq - ledger.lastSeq;
      post({
        type: 'notice',
        level: 'info',
        message:
          `Started from the views this browser saved at ${new Date(fold.savedAtMs).toLocaleString()} ` +
          `(${ledger.lastSeq.toLocaleString('en-US')} events); reading the ${newer.toLocaleString('en-US')} stored since.`,
      });
      break;
    }
    case 'refused':
      post({
        type: 'notice',
        level: 'info',
        message: `The views saved in this browser were not used (${outcome.why}); reading the whole stream.`,
      });
      break;
    case 'failed':
      post({
        type: 'notice',
        level: 'warning',
        message: `The views saved in this browser could not be read (${describeNatsError(outcome.error)}); reading the whole stream.`,
      });
      break;
    case 'none':
      break;
  }
}

async function followBucket(
  nc: NatsConnection,
  bucket: string,
  mirror: KvMirror,
  signal: AbortSignal,
): Promise<void> {
  for await (const update of watchBucket(nc, { bucket, signal })) {
    mirror.apply(update.entries, update.initialDone);
    scheduleSnapshot();
  }
}

async function followAlerts(nc: NatsConnection, signal: AbortSignal): Promise<void> {
  for await (const batch of replayStream(nc, {
    stream: STREAMS.procurement,
    fromSeq: alerts.lastSeq + 1,
    signal,
    batchSize: 500,
  })) {
    alerts.apply(batch.messages, names);
    scheduleSnapshot();
  }
}

function postProgress(): void {
  post({ type: 'progress', progress: progress.current() });
}

function scheduleSnapshot(): void {
  if (snapshotTimer !== null) return;
  const interval = progress.isCaughtUp ? SNAPSHOT_INTERVAL_MS : CATCH_UP_SNAPSHOT_INTERVAL_MS;
  snapshotTimer = setTimeout(flushSnapshot, interval);
}

function flushSnapshot(): void {
  if (snapshotTimer !== null) clearTimeout(snapshotTimer);
  snapshotTimer = null;
  postProgress();
  post({
    type: 'snapshot',
    snapshot: {
      views: ledgerViews(ledger),
      past: past && { atMs: past.atMs, speed: past.speed, views: ledgerViews(past.ledger) },
      lastEventMs,
      kvLevels: kvLevels.levels(),
      kvReady: kvLevels.ready,
      thresholds: thresholds.thresholds(),
      alerts: alerts.newest(),
      alertProblems: alerts.problems,
      workers: workers.json(),
    },
  });
}

async function publish(command: PublishCommand): Promise<PublishOutcome> {
  if (!session) return { ok: false, kind: 'offline', message: 'Not signed in.' };
  if (session.nc.isClosed() || !outbox)
    return { ok: false, kind: 'offline', message: 'The connection is closed; sign in again.' };
  return outbox.submit(command);
}

async function setThreshold(key: string, threshold: number) {
  if (!session) return { ok: false as const, message: 'Not signed in.' };
  try {
    await putThreshold(session.nc, key, threshold);
    return { ok: true as const };
  } catch (error) {
    return { ok: false as const, message: describeNatsError(error) };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
