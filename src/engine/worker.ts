/// <reference lib="webworker" />
/**
 * The engine: owns the page's NATS connection, replays WAREHOUSE_EVENTS once into every view, follows live,
 * watches the KV buckets and the low-stock feed, and posts coalesced snapshots to the page.
 */
import { decodeStockMessage } from '../core/codec';
import { headerNames } from '../core/events';
import { hasId } from '../core/id-set';
import { initialLedger, ledgerViews } from '../core/ledger';
import { connectBrowser } from '../nats/connect-browser';
import { classifyNatsError, describeNatsError, classifySignInError } from '../nats/errors';
import { checkResources } from '../nats/provision';
import { pushReplay } from '../nats/push-replay';
import { replayStream, streamState } from '../nats/replay';
import { watchBucket, putThreshold } from '../nats/kv-watch';
import { watchConnection } from '../nats/status';
import { STREAMS, BUCKETS, personInboxPrefix } from '../nats/names';
import type { NatsConnection } from '../nats/connect-browser';
import { AlertFeed } from './alert-feed';
import { handleAuditRequest } from './audit-port';
import { handleEventLogRequest } from './event-log-port';
import { FoldPersistence } from './fold-persistence';
import { indexedDbFoldStore, snapshotKey } from './snapshot-store';
import { TimeMachine, type PastState } from './time-machine';
import { KvMirror } from './kv-mirror';
import { pumpReplay } from './replay-pump-client';
import { Outbox } from './outbox';
import { SnapshotScheduler } from './snapshot-scheduler';
import { WarehouseFollower, type WarehouseStream } from './warehouse-follower';
import { natsOutboxPort, WAREHOUSE_DUPLICATE_WINDOW_MS } from './outbox-port';
import type { Credentials, FromEngine, PublishCommand, PublishOutcome, ToEngine } from './protocol';
import type { Grants } from '../core/grants';
import { readGrants } from '../nats/user-info';
import { startRestartLoop } from '../lib/restart-loop';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: FromEngine) => scope.postMessage(message);
const names = headerNames();

interface Session {
  nc: NatsConnection;
  abort: AbortController;
}

let session: Session | null = null;
/** The fold of WAREHOUSE_EVENTS for the session signed in. */
let follower: WarehouseFollower | null = null;
let kvLevels = new KvMirror();
let thresholds = new KvMirror();
let workers = new KvMirror();
let alerts = new AlertFeed();
let persistence: FoldPersistence | null = null;
let timeMachine: TimeMachine | null = null;
let past: PastState | null = null;
let restartReplay: (() => void) | null = null;
/** The session's unsent commands; it lives and ends with the connection follower. */
let outbox: Outbox | null = null;
const snapshots = new SnapshotScheduler(postSnapshot, () => follower?.progress.isCaughtUp ?? true);

scope.onmessage = (event: MessageEvent<ToEngine>) => {
  const message = event.data;
  switch (message.type) {
    case 'audit-trail':
      void handleAuditRequest(session?.nc ?? null, message, post);
      break;
    case 'event-log':
      void handleEventLogRequest(session?.nc ?? null, message, post);
      break;
    case 'connect':
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
  persistence = new FoldPersistence(indexedDbFoldStore, snapshotKey(credentials.servers, STREAMS.warehouse));
  const fold = new WarehouseFollower(warehouseStream(nc, { ...credentials, inboxPrefix }), persistence, {
    changed: () => snapshots.schedule(),
    caughtUp: () => snapshots.flush(),
    progress: (progress) => post({ type: 'progress', progress }),
    notice: (level, message) => post({ type: 'notice', level, message }),
    pumpFailed: (error) => console.warn(`replay pump: ${describeNatsError(error)}`),
  });
  follower = fold;
  await fold.resumeSavedFold();
  timeMachine = new TimeMachine(
    (fromSeq, signal) =>
      pushReplay(nc, { stream: STREAMS.warehouse, fromSeq, signal, batchSize: 1000, inboxPrefix }),
    (m) => decodeStockMessage(m, names),
    {
      before: (atMs) => fold.checkpoints.before(atMs),
      complete: (seq, atMs) => fold.checkpoints.complete(seq, atMs),
    },
    (state) => {
      past = state;
      snapshots.schedule();
    },
    (error) =>
      post({ type: 'notice', level: 'warning', message: `time travel: ${describeNatsError(error)}` }),
    () => Date.now(),
  );
  post({ type: 'signed-in', user: credentials.user, serverVersion: nc.info?.version ?? 'unknown', grants });
  post({ type: 'connection', info: { state: 'connected', sinceMs: Date.now() } });
  void followConnection(nc, abort.signal);
  const replay = supervise('warehouse replay', abort.signal, (signal) => fold.follow(signal));
  restartReplay = () => replay.restart();
  supervise('stock levels', abort.signal, (signal) =>
    followBucket(nc, BUCKETS.stockLevels, kvLevels, signal),
  );
  supervise('thresholds', abort.signal, (signal) =>
    followBucket(nc, BUCKETS.stockThresholds, thresholds, signal),
  );
  supervise('worker status', abort.signal, (signal) =>
    followBucket(nc, BUCKETS.workerStatus, workers, signal),
  );
  supervise('low-stock alerts', abort.signal, (signal) => followAlerts(nc, signal));
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
  follower = null;
  persistence = null;
  kvLevels = new KvMirror();
  thresholds = new KvMirror();
  workers = new KvMirror();
  alerts = new AlertFeed();
  post({ type: 'connection', info: { state: 'closed', sinceMs: Date.now() } });
}

/** A follower that ran this long before it failed starts over with the shortest pause. */
const HEALTHY_RUN_MS = 30_000;

/**
 * Runs a follower until sign-out: nats.js gives up on an ordered consumer that cannot be recreated
 * (docs/platform-notes.md#the-natsjs-client), so every follower is restarted with backoff, resuming from what
 * it already holds.
 */
function supervise(what: string, signal: AbortSignal, follow: (signal: AbortSignal) => Promise<void>) {
  return startRestartLoop({
    signal,
    healthyRunMs: HEALTHY_RUN_MS,
    run: follow,
    // A request that timed out has waited already; during a cluster's leader election the next one often
    // succeeds, so timeouts keep the short pause instead of growing it.
    holdsPause: (error) => classifyNatsError(error).kind === 'timeout',
    onPause: (end) => {
      if (end.threw)
        post({
          type: 'notice',
          level: 'warning',
          message: `${what}: ${describeNatsError(end.error)}; retrying`,
        });
    },
  });
}

async function followConnection(nc: NatsConnection, signal: AbortSignal): Promise<void> {
  let previous: string | null = null;
  const box = new Outbox(
    natsOutboxPort(nc, () => {
      const ledger = follower?.ledger ?? initialLedger();
      return { lastSeq: ledger.lastSeq, has: (id) => hasId(ledger.seenIds, id) };
    }),
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

/** The warehouse stream as the follower reads it: on this connection, or through the replay pump. */
function warehouseStream(nc: NatsConnection, who: Credentials & { inboxPrefix: string }): WarehouseStream {
  return {
    state: () => streamState(nc, STREAMS.warehouse),
    replay: (fromSeq, signal) =>
      pushReplay(nc, {
        stream: STREAMS.warehouse,
        fromSeq,
        signal,
        batchSize: 1000,
        inboxPrefix: who.inboxPrefix,
      }),
    pump: (fromSeq, untilSeq, signal) =>
      pumpReplay(
        {
          servers: who.servers,
          user: who.user,
          password: who.password,
          inboxPrefix: who.inboxPrefix,
          stream: STREAMS.warehouse,
          fromSeq,
          untilSeq,
        },
        signal,
      ),
    decode: (m) => decodeStockMessage(m, names),
  };
}

async function followBucket(
  nc: NatsConnection,
  bucket: string,
  mirror: KvMirror,
  signal: AbortSignal,
): Promise<void> {
  for await (const update of watchBucket(nc, { bucket, signal })) {
    mirror.apply(update.entries, update.initialDone);
    snapshots.schedule();
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
    snapshots.schedule();
  }
}

function postSnapshot(): void {
  if (!follower) return;
  post({ type: 'progress', progress: follower.progress.current() });
  post({
    type: 'snapshot',
    snapshot: {
      views: ledgerViews(follower.ledger),
      past: past && { atMs: past.atMs, speed: past.speed, views: ledgerViews(past.ledger) },
      lastEventMs: follower.lastEventMs,
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
