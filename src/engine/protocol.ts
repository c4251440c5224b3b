/**
 * Messages between the page and the engine worker. The worker owns the NATS connection and the fold; the
 * page only receives coalesced snapshots of folded views (never raw events) and sends commands.
 */
import type { Delta } from '../lib/structural-delta';
import type { StockEvent, StockLow } from '../core/events';
import type { LedgerViews } from '../core/ledger';
import type { AuditRequest, AuditResult } from './audit-port';
import type { EventLogCall, EventLogMessage } from './event-log-protocol';
import type { Grants } from '../core/grants';
import type { ParsedStockLevel } from '../core/stock-level';
import type { ViewInterest } from '../core/view-interest';

export interface Credentials {
  servers: string;
  user: string;
  password: string;
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';

export interface ConnectionInfo {
  state: ConnectionState;
  /** When the connection entered this state, ms since epoch. */
  sinceMs: number;
  detail?: string;
  /** Closed because the server no longer accepts this person's credential. */
  refused?: boolean;
}

export type SignInErrorKind = 'auth' | 'unreachable' | 'no_stream' | 'other';

export interface ReplayProgress {
  /** Events applied (sequence reached) and the stream's last sequence when the replay started. */
  replayed: number;
  total: number;
  eventsPerSecond: number;
  etaMs: number | null;
  caughtUp: boolean;
}

/** Where this session's fold started (docs/architecture.md#checkpoints) and how much it replayed since. */
export interface FoldStart {
  from: 'stream' | 'saved' | 'checkpoint';
  /** The sequence the fold started after: 0 from the stream, else the saved copy's or the checkpoint's. */
  seq: number;
  /** Messages this session folded after it. */
  folded: number;
  /** The one warehouse whose subjects the fold reads, or null for the chain (docs/architecture.md#one-warehouse-or-the-chain). */
  scope: string | null;
}

export interface KvLevel {
  key: string;
  revision: number;
  /** The bucket value parsed as a stock level, or why it could not be parsed. */
  value: ParsedStockLevel;
}

export interface LowStockAlert {
  seq: number;
  timestampMs: number;
  low: StockLow;
}

export interface PastView {
  /** The moment shown, ms since epoch. */
  atMs: number;
  /** Playback speed (1 = real time), 0 when paused. */
  speed: number;
  /** The one warehouse whose events were read: `views` are exact for it alone. Null: every event was read. */
  warehouse: string | null;
  views: LedgerViews;
}

export interface EngineSnapshot {
  /** Narrowed to what the pages on screen show (the `interest` message). */
  views: LedgerViews;
  /** Every warehouse the live fold knows, for pickers: `views.stock` holds only those shown. */
  warehouses: string[];
  /** Set while the user looks at the past; `views` stays live underneath. */
  past: PastView | null;
  /** A moment asked for while its events are still read: how many so far. */
  seeking: { atMs: number; read: number } | null;
  /** Event time of the newest event applied, for "last event … ago". */
  lastEventMs: number | null;
  start: FoldStart;
  /** The projector's bucket, narrowed like `views`. */
  kvLevels: Record<string, KvLevel>;
  kvReady: boolean;
  thresholds: Record<string, number>;
  alerts: LowStockAlert[];
  alertProblems: number;
  /** What the Node workers last reported (bucket `worker_status`), by worker name, as they wrote it. */
  workers: Record<string, unknown>;
}

export interface PublishCommand {
  warehouse: string;
  event: StockEvent;
  expectedLastSubjectSeq?: number;
  /**
   * The event id, when the page derives it (a stocktake row: from the file and the line), so that the same
   * intent twice is one event; otherwise the outbox gives a new one.
   */
  id?: string;
}

export type PublishOutcome =
  | {
      ok: true;
      /** The event id (`Nats-Msg-Id`). */
      id: string;
      /**
       * The event's stream sequence; null when a re-sent command was found already applied by the replay
       * (the server had forgotten the id, so no acknowledgement says where it is).
       */
      seq: number | null;
      duplicate: boolean;
    }
  | {
      ok: false;
      /** Not answered yet: kept in the engine's outbox; the final outcome follows as `publish-settled`. */
      kind: 'queued';
      id: string;
      reason: QueuedCommand['reason'];
      message: string;
    }
  | {
      ok: false;
      /**
       * `timeout`: it may or may not be stored. `busy`: refused because an earlier command for the same
       * product is still queued.
       */
      kind: 'conflict' | 'permission' | 'no_stream' | 'timeout' | 'invalid' | 'offline' | 'busy' | 'other';
      message: string;
      actualSeq?: number;
      /** The event id, once one was given (to look for it in the event log). */
      id?: string;
    };

/** A command waiting in the engine's outbox, also kept on the device until answered (src/engine/kept-commands.ts). */
export interface QueuedCommand {
  id: string;
  warehouse: string;
  event: StockEvent;
  /**
   * `offline`: never sent; `unacknowledged`: sent without an answer, so a copy may be stored; `behind`:
   * waiting for earlier queued commands.
   */
  reason: 'offline' | 'unacknowledged' | 'behind';
  attempts: number;
  /** When it was first reported queued, ms since epoch. */
  sinceMs: number;
}

export type ThresholdOutcome = { ok: true } | { ok: false; message: string };

export type ToEngine =
  | AuditRequest
  | EventLogCall
  /** `headerPrefix`: of the deployment's event headers, from config.json (docs/architecture.md#subjects-and-headers). */
  | { type: 'connect'; credentials: Credentials; headerPrefix: string }
  | { type: 'disconnect' }
  | { type: 'publish'; requestId: number; command: PublishCommand }
  | { type: 'set-threshold'; requestId: number; key: string; threshold: number }
  /** Show the views as of a moment, or live again with null. */
  | { type: 'time-travel'; atMs: number | null }
  | { type: 'play'; speed: number }
  /** Forget the saved copy and fold the whole stream again, ignoring shared checkpoints. */
  | { type: 'rebuild' }
  /** What the pages on screen show; snapshots carry only that (docs/architecture.md#what-a-page-is-sent). */
  | { type: 'interest'; interest: ViewInterest }
  /** The page has rendered the last snapshot it was sent (docs/architecture.md#one-snapshot-in-flight). */
  | { type: 'snapshot-shown' }
  /** A snapshot's change did not fit what the page holds: the next is sent whole. */
  | { type: 'snapshot-lost' };

export type FromEngine =
  | AuditResult
  | EventLogMessage
  | { type: 'connection'; info: ConnectionInfo }
  | { type: 'signed-in'; user: string; serverVersion: string; grants: Grants }
  | { type: 'sign-in-failed'; kind: SignInErrorKind; message: string }
  | { type: 'progress'; progress: ReplayProgress }
  /**
   * What the pages show, as the change from the last snapshot posted (the first of a session: all of it;
   * docs/architecture.md#snapshots-as-changes).
   */
  | { type: 'snapshot'; delta: Delta }
  /**
   * The fold has applied every event up to `seq`, and what the pages show is still the snapshot that had folded
   * up to `since` (docs/architecture.md#nothing-new-to-show).
   */
  | { type: 'applied'; seq: number; since: number }
  | { type: 'publish-result'; requestId: number; outcome: PublishOutcome }
  /** The final outcome of a command whose `publish-result` was `queued`. */
  | { type: 'publish-settled'; id: string; outcome: PublishOutcome }
  /** The outbox's queued commands, oldest first, each time that list changes. */
  | { type: 'outbox'; queued: QueuedCommand[] }
  | { type: 'threshold-result'; requestId: number; outcome: ThresholdOutcome }
  | { type: 'notice'; level: 'info' | 'warning'; message: string };
