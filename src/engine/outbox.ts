/**
 * The engine's outbox: a stock command is kept, with the event id it was given at submission, until the
 * server has acknowledged it or refused it — never dropped silently, never stored twice.
 *
 * Why it is needed (measured with nats.js 3.4 and nats-server 2.9.10): a publish made while the connection
 * is down sits in the client's outbound buffer; it is thrown away when the next reconnect attempt starts,
 * but if it was written during the attempt that succeeds it is flushed on connect — possibly after its
 * request already timed out. An acknowledgement can also be lost on a link that still looks alive. Either
 * way "no acknowledgement" does not mean "not stored". So nothing is sent while the connection is down,
 * and a command whose attempt went unanswered is sent again with the same id (`Nats-Msg-Id`): within the
 * stream's duplicate window the server answers `duplicate: true` with the first copy's sequence (it checks
 * the id before the expected subject sequence). Past that window the server has forgotten the id, so the
 * replayed ledger, which holds every applied event id, is asked first.
 *
 * Every command still waiting is also kept on the device (`OutboxPort.keep`), with its id, time and how
 * often it was sent, until the server has answered it: a reload, a closed tab or a sign-out does not lose it,
 * and the next sign-in of the same person resumes it (`resume`) under the same id, so it is still stored once
 * (docs/architecture.md#nothing-typed-is-lost).
 */
import { stockSubject } from '../core/events';
import type { PublishResult } from '../nats/publish';
import type { PublishCommand, PublishOutcome, QueuedCommand } from './protocol';

export interface OutboxEntry {
  /** Event id, `Nats-Msg-Id` and `<prefix>_msg_id`: the same for every copy sent. */
  readonly id: string;
  /** When the user submitted it: the event's time, the same for every copy. */
  readonly timestampMs: number;
  readonly command: PublishCommand;
}

/** What is kept on the device of a waiting command: enough to send it again as the same event. */
export interface KeptCommand extends OutboxEntry {
  /** When the first copy was handed to the connection; null while none was. */
  readonly firstSentMs: number | null;
  readonly attempts: number;
}

export interface OutboxPort {
  /** Keeps (or updates) a waiting command on the device; failures are the port's to report. */
  keep(command: KeptCommand): void;
  /** The server has answered it: nothing of it needs keeping any more. */
  forget(id: string): void;
  /** Publishes the entry with its own id and time; reports refusals and timeouts as data, never throws. */
  send(entry: OutboxEntry): Promise<PublishResult>;
  /** The last sequence stored on `subject` now, 0 when none; throws when the server cannot be asked. */
  lastStoredSeq(subject: string): Promise<number>;
  /**
   * What the replay has folded of `subject`'s warehouse: through which sequence of that subject, and whether
   * an id was applied there. Null when the replay does not read that warehouse.
   */
  replayed(subject: string): { foldedThrough: number; has(id: string): boolean } | null;
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  newId(): string;
}

export interface OutboxListener {
  /** The final outcome of a command whose first answer was `queued`. */
  settled(id: string, outcome: PublishOutcome): void;
  /** The commands the page has been told are queued, oldest first, whenever that list changes. */
  changed(queued: QueuedCommand[]): void;
}

export interface OutboxOptions {
  /** The stream's duplicate window (names.ts). */
  duplicateWindowMs: number;
  /**
   * How long before the window ends a re-send stops trusting the server's memory of the id: covers the
   * re-send's own transit and the two clocks drifting apart.
   */
  marginMs?: number;
  /** Pauses between attempts that go unanswered while the connection looks up. */
  retryDelaysMs?: readonly number[];
  /** How often to look whether the replay has caught up, while an id is checked against it. */
  replayPollMs?: number;
}

interface Entry extends OutboxEntry {
  /** When the first copy was handed to the connection; null while none was. */
  firstSentMs: number | null;
  attempts: number;
  /** Set once the page has had its first answer (queued, or the outcome itself). */
  answered: boolean;
  reason: QueuedCommand['reason'];
  queuedSinceMs: number;
  done: boolean;
  answer: (outcome: PublishOutcome) => void;
}

type Step = { settled: PublishOutcome } | { unanswered: true };

const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15_000];
const UNANSWERED: Step = { unanswered: true };

const KEPT = 'It is kept on this device until then, also over a reload.';
const QUEUED_MESSAGES: Record<QueuedCommand['reason'], string> = {
  offline: `Offline — queued; it will be recorded once when the connection is back. ${KEPT}`,
  unacknowledged: `No acknowledgement yet — queued; it is sent again with the same event id, so it will be recorded once. ${KEPT}`,
  behind: `Queued behind earlier events that are not acknowledged yet; it will be recorded once, after them. ${KEPT}`,
};
const NO_ANSWER = (): void => undefined;

export class Outbox {
  private readonly queue: Entry[] = [];
  private readonly marginMs: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly replayPollMs: number;
  /** Aborted when the connection drops: an attempt or a wait in progress gives up. */
  private link: AbortController | null = null;
  private running = false;
  private closedWith: string | null = null;

  constructor(
    private readonly port: OutboxPort,
    private readonly options: OutboxOptions,
    private readonly listener: OutboxListener,
  ) {
    this.marginMs = options.marginMs ?? 15_000;
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.replayPollMs = options.replayPollMs ?? 200;
  }

  /**
   * The first answer for a command: its outcome when the server answers the first attempt, otherwise
   * `queued` (the final outcome then arrives through `listener.settled`).
   */
  submit(command: PublishCommand): Promise<PublishOutcome> {
    if (this.closedWith !== null) {
      return Promise.resolve({ ok: false, kind: 'offline', message: `${this.closedWith}; sign in again.` });
    }
    const product = command.event.product_name;
    if (
      this.queue.some(
        (e) => e.command.warehouse === command.warehouse && e.command.event.product_name === product,
      )
    ) {
      // Its figures were read without the waiting event: sent after it, it would be refused as changed.
      return Promise.resolve({
        ok: false,
        kind: 'busy',
        message: `An earlier event for ${product} in warehouse ${command.warehouse} is not acknowledged yet, and this one was decided on figures without it: submit it again once that one is recorded.`,
      });
    }
    return new Promise<PublishOutcome>((resolve) => {
      const nowMs = this.port.now();
      const entry: Entry = {
        id: command.id ?? this.port.newId(),
        timestampMs: nowMs,
        command,
        firstSentMs: null,
        attempts: 0,
        answered: false,
        reason: 'offline',
        queuedSinceMs: nowMs,
        done: false,
        answer: resolve,
      };
      // Behind a command that is stuck (not merely in flight), it will not be answered soon either.
      const stuck = this.queue.some((e) => e.answered);
      this.queue.push(entry);
      this.port.keep(kept(entry));
      if (this.link === null) this.markQueued(entry, 'offline');
      else if (stuck) this.markQueued(entry, 'behind');
      void this.drain();
    });
  }

  /**
   * Commands kept on the device by an earlier session of the same person, queued behind nothing but each other
   * and sent under their own ids; their outcomes reach `listener.settled` (no form is waiting for them).
   */
  resume(commands: readonly KeptCommand[]): void {
    if (this.closedWith !== null) return;
    const nowMs = this.port.now();
    for (const command of commands) {
      if (this.queue.some((e) => e.id === command.id)) continue;
      this.queue.push({
        ...command,
        answered: true,
        reason: command.attempts > 0 ? 'unacknowledged' : 'offline',
        queuedSinceMs: nowMs,
        done: false,
        answer: NO_ANSWER,
      });
    }
    this.listener.changed(this.queued());
    void this.drain();
  }

  /** Follows the connection: sending only while it is up, from the oldest command on. */
  setConnected(connected: boolean): void {
    if (this.closedWith !== null) return;
    if (!connected) {
      this.link?.abort();
      this.link = null;
      for (const entry of this.queue) if (entry.attempts === 0) this.markQueued(entry, 'offline');
      return;
    }
    if (this.link !== null) return;
    this.link = new AbortController();
    void this.drain();
  }

  /**
   * The session ends (sign-out, or the connection closed for good): every command still waiting gets a
   * final answer for this session, and stays kept on the device for the next sign-in. `why` starts a
   * sentence: "You signed out".
   */
  close(why: string): void {
    if (this.closedWith !== null) return;
    this.closedWith = why;
    this.link?.abort();
    this.link = null;
    for (const entry of [...this.queue]) {
      const resent = `it is kept on this device and sent, as the same event ${entry.id}, when you next sign in here`;
      this.settle(
        entry,
        entry.attempts === 0
          ? {
              ok: false,
              kind: 'offline',
              id: entry.id,
              message: `${why} before it could be sent: ${resent}.`,
            }
          : {
              ok: false,
              kind: 'timeout',
              id: entry.id,
              message: `${why} before the server acknowledged it: it may already be stored; ${resent}, so it is recorded once.`,
            },
        false,
      );
    }
  }

  /** The commands the page has been told are queued. */
  queued(): QueuedCommand[] {
    return this.queue
      .filter((e) => e.answered)
      .map((e) => ({
        id: e.id,
        warehouse: e.command.warehouse,
        event: e.command.event,
        reason: e.reason,
        attempts: e.attempts,
        sinceMs: e.queuedSinceMs,
      }));
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    let unanswered = 0;
    try {
      for (;;) {
        const link = this.link;
        const entry = this.queue[0];
        if (link === null || entry === undefined) return;
        const step = await this.attempt(entry, link.signal);
        if ('settled' in step) {
          this.settle(entry, step.settled);
          unanswered = 0;
          continue;
        }
        this.markQueued(entry, entry.attempts > 0 ? 'unacknowledged' : 'offline');
        for (const later of this.queue) if (!later.answered) this.markQueued(later, 'behind');
        if (link.signal.aborted) continue;
        const delay = this.retryDelaysMs[Math.min(unanswered, this.retryDelaysMs.length - 1)] ?? 1000;
        unanswered += 1;
        await this.port.sleep(delay, link.signal);
      }
    } finally {
      this.running = false;
    }
  }

  private async attempt(entry: Entry, signal: AbortSignal): Promise<Step> {
    const { duplicateWindowMs } = this.options;
    if (
      entry.firstSentMs !== null &&
      this.port.now() - entry.firstSentMs >= duplicateWindowMs - this.marginMs
    ) {
      // The server may have forgotten the id: a re-send could be stored a second time.
      const stored = await this.inReplay(entry, signal);
      if (stored === null) return UNANSWERED;
      if (stored) return { settled: { ok: true, id: entry.id, seq: null, duplicate: true } };
    }
    if (signal.aborted) return UNANSWERED;
    entry.firstSentMs ??= this.port.now();
    entry.attempts += 1;
    // Kept as sent before it goes: should the tab die now, the next session checks for a stored copy first.
    this.port.keep(kept(entry));
    const result = await this.port.send(entry);
    if (entry.done) return UNANSWERED;
    if (result.ok)
      return { settled: { ok: true, id: entry.id, seq: result.seq, duplicate: result.duplicate } };
    // A timeout, or an error because the connection went away mid-request, says nothing about storage.
    if (result.kind === 'timeout' || (result.kind === 'other' && signal.aborted)) return UNANSWERED;
    if (result.kind === 'conflict' && entry.attempts > 1) {
      // Not relying on the server checking the id before the sequence: an earlier copy may be the change.
      const stored = await this.inReplay(entry, signal);
      if (stored === null) return UNANSWERED;
      if (stored) return { settled: { ok: true, id: entry.id, seq: null, duplicate: true } };
    }
    return {
      settled: {
        ok: false,
        kind: result.kind,
        id: entry.id,
        message: result.message,
        ...(result.actualSeq !== undefined ? { actualSeq: result.actualSeq } : {}),
      },
    };
  }

  /**
   * Whether the event is in the stream, from the replay once it has folded everything stored on the event's
   * subject now (any earlier copy of it was stored there before this moment). Null when that cannot be known
   * on this link, or by this replay.
   */
  private async inReplay(entry: Entry, signal: AbortSignal): Promise<boolean | null> {
    const subject = stockSubject(entry.command.warehouse, entry.command.event.product_name);
    let target: number;
    try {
      target = await this.port.lastStoredSeq(subject);
    } catch {
      return null;
    }
    for (;;) {
      const replayed = this.port.replayed(subject);
      if (signal.aborted || replayed === null) return null;
      if (replayed.foldedThrough >= target) return replayed.has(entry.id);
      await this.port.sleep(this.replayPollMs, signal);
    }
  }

  private markQueued(entry: Entry, reason: Entry['reason']): void {
    if (entry.done) return;
    const changed = !entry.answered || entry.reason !== reason;
    entry.reason = reason;
    if (!entry.answered) {
      entry.answered = true;
      entry.queuedSinceMs = this.port.now();
      entry.answer({
        ok: false,
        kind: 'queued',
        id: entry.id,
        reason,
        message: QUEUED_MESSAGES[reason],
      });
    }
    if (changed) this.listener.changed(this.queued());
  }

  /** `final`: the server answered it, so it is no longer kept; otherwise only this session is done with it. */
  private settle(entry: Entry, outcome: PublishOutcome, final = true): void {
    if (entry.done) return;
    entry.done = true;
    if (final) this.port.forget(entry.id);
    const at = this.queue.indexOf(entry);
    if (at >= 0) this.queue.splice(at, 1);
    if (!entry.answered) {
      entry.answered = true;
      entry.answer(outcome);
      return;
    }
    this.listener.changed(this.queued());
    this.listener.settled(entry.id, outcome);
  }
}

function kept(entry: Entry): KeptCommand {
  const { id, timestampMs, command, firstSentMs, attempts } = entry;
  return { id, timestampMs, command, firstSentMs, attempts };
}
