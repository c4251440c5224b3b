/**
 * The page's handle on the engine worker: one per page, created outside React so StrictMode's double
 * effects cannot open two connections.
 */
import type { AuditOutcome, AuditQuery } from './audit-port';
import {
  EventLogRequests,
  type EventLogCallOptions,
  type EventLogReply,
  type EventLogRequest,
} from './event-log-protocol';
import type {
  Credentials,
  FromEngine,
  PublishCommand,
  PublishOutcome,
  QueuedCommand,
  ThresholdOutcome,
  ToEngine,
} from './protocol';
import { startPolicyBoundWorker } from './policy-bound-worker';
import { mergeInterests, type ViewInterest } from '../core/view-interest';
import engineWorkerUrl from './worker.ts?worker&url';

type Listener = (message: FromEngine) => void;
type Outcome = PublishOutcome | ThresholdOutcome | AuditOutcome;

export class EngineClient {
  private readonly worker: Worker;
  private readonly listeners = new Set<Listener>();
  private readonly pending = new Map<number, (outcome: Outcome) => void>();
  private nextRequestId = 1;
  private readonly eventLogs = new EventLogRequests((call) => this.send(call));
  /** Final outcomes of queued commands by event id, kept: a result shown again must still find its own. */
  private readonly settledOutcomes = new Map<string, PublishOutcome>();
  private readonly settleWaiters = new Map<string, ((outcome: PublishOutcome) => void)[]>();
  private queue: QueuedCommand[] = [];
  private readonly queueListeners = new Set<() => void>();
  private readonly interests = new Map<symbol, ViewInterest>();
  private sentInterest = '';
  private interestDue = false;

  constructor() {
    this.worker = startPolicyBoundWorker(engineWorkerUrl, 'stockwire-engine');
    this.worker.onmessage = (event: MessageEvent<FromEngine>) => this.dispatch(event.data);
    // The outbox lives in the worker: leaving the page loses what it still holds.
    window.addEventListener('beforeunload', (event) => {
      if (this.queue.length > 0) event.preventDefault();
    });
  }

  /**
   * What one component on screen shows of the views; the engine is sent what all of them show together
   * (docs/architecture.md#what-a-page-is-sent). Returns the function that withdraws it.
   */
  showInterest(interest: ViewInterest): () => void {
    const token = Symbol('interest');
    this.interests.set(token, interest);
    this.sendInterest();
    return () => {
      this.interests.delete(token);
      this.sendInterest();
    };
  }

  /**
   * After the current task: a page switch withdraws one page's interest and declares the next one's in the
   * same commit, and the engine must not, in between, stop following what both pages show.
   */
  private sendInterest(): void {
    if (this.interestDue) return;
    this.interestDue = true;
    queueMicrotask(() => {
      this.interestDue = false;
      this.sendMergedInterest();
    });
  }

  private sendMergedInterest(): void {
    const merged = mergeInterests(this.interests.values());
    const key = JSON.stringify(merged);
    if (key === this.sentInterest) return;
    this.sentInterest = key;
    this.send({ type: 'interest', interest: merged });
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  connect(credentials: Credentials, headerPrefix: string): void {
    this.send({ type: 'connect', credentials, headerPrefix });
  }

  disconnect(): void {
    this.send({ type: 'disconnect' });
  }

  publish(command: PublishCommand): Promise<PublishOutcome> {
    const requestId = this.nextRequestId++;
    const result = new Promise<PublishOutcome>((resolve) =>
      this.pending.set(requestId, resolve as (o: Outcome) => void),
    );
    this.send({ type: 'publish', requestId, command });
    return result;
  }

  /** The final outcome of a command whose first answer was `queued`, by its event id. */
  settled(id: string): Promise<PublishOutcome> {
    const known = this.settledOutcomes.get(id);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) =>
      this.settleWaiters.set(id, [...(this.settleWaiters.get(id) ?? []), resolve]),
    );
  }

  /** Commands waiting in the engine's outbox, oldest first. */
  queued(): QueuedCommand[] {
    return this.queue;
  }

  subscribeQueued(listener: () => void): () => void {
    this.queueListeners.add(listener);
    return () => this.queueListeners.delete(listener);
  }

  setThreshold(key: string, threshold: number): Promise<ThresholdOutcome> {
    const requestId = this.nextRequestId++;
    const result = new Promise<ThresholdOutcome>((resolve) => this.pending.set(requestId, resolve));
    this.send({ type: 'set-threshold', requestId, key, threshold });
    return result;
  }

  /**
   * Says the last snapshot is on screen; until then the engine sends no other (docs/architecture.md#one-snapshot-in-flight).
   */
  snapshotShown(): void {
    this.send({ type: 'snapshot-shown' });
  }

  /** Asks for the whole snapshot again: a change did not fit what this page holds. */
  snapshotLost(): void {
    this.send({ type: 'snapshot-lost' });
  }

  /** Views as of a moment (null: back to live). */
  timeTravel(atMs: number | null): void {
    this.send({ type: 'time-travel', atMs });
  }

  /** Plays the past forward at `speed` × real time; 0 pauses. */
  play(speed: number): void {
    this.send({ type: 'play', speed });
  }

  /** Folds the whole stream again from sequence 1, without the saved copy or a shared checkpoint. */
  rebuild(): void {
    this.send({ type: 'rebuild' });
  }

  /** The stored messages of one product subject from `query.fromSeq` on, read from the stream. */
  auditTrail(query: AuditQuery): Promise<AuditOutcome> {
    const requestId = this.nextRequestId++;
    const result = new Promise<AuditOutcome>((resolve) =>
      this.pending.set(requestId, resolve as (o: Outcome) => void),
    );
    this.send({ type: 'audit-trail', requestId, query });
    return result;
  }

  /** Reads the stream for the event log page: a page, one message whole, or an export. */
  eventLog(request: EventLogRequest, options?: EventLogCallOptions): Promise<EventLogReply> {
    return this.eventLogs.request(request, options);
  }

  private send(message: ToEngine): void {
    this.worker.postMessage(message);
  }

  private dispatch(message: FromEngine): void {
    if (message.type === 'event-log') {
      this.eventLogs.receive(message);
      return;
    }
    if (message.type === 'publish-settled') {
      this.settledOutcomes.set(message.id, message.outcome);
      for (const resolve of this.settleWaiters.get(message.id) ?? []) resolve(message.outcome);
      this.settleWaiters.delete(message.id);
      return;
    }
    if (message.type === 'outbox') {
      this.queue = message.queued;
      for (const listener of this.queueListeners) listener();
      return;
    }
    if (
      message.type === 'publish-result' ||
      message.type === 'threshold-result' ||
      message.type === 'audit-trail-result'
    ) {
      const resolve = this.pending.get(message.requestId);
      this.pending.delete(message.requestId);
      resolve?.(message.outcome);
      return;
    }
    for (const listener of this.listeners) listener(message);
  }
}
