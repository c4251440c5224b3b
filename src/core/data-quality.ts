/**
 * What the readers could not use: malformed messages, unknown types and duplicates
 * (docs/architecture.md#reading-rules: counted and listed with the reason, never a reason to stop). Counts
 * are exact; only the list is bounded.
 */
import { draft, draftArray, newBatch, type Batch, type Mutable } from './batch';
import type { Decoded, DecodeErrorCode, EventMeta } from './codec';
import type { ReversalRefusal } from './undo-memory';
import { seqOf, type View } from './view';

/** `refused`: well-formed, but a reversal that cannot take back what it names (docs/architecture.md#undo). */
export type IssueKind = 'malformed' | 'unknown' | 'duplicate' | 'refused';
export type IssueReason = DecodeErrorCode | 'unknown_type' | 'duplicate' | ReversalRefusal;

export interface Issue {
  readonly seq: number;
  readonly subject: string;
  readonly reason: IssueReason;
  readonly message: string;
  readonly kind: IssueKind;
}

export const RECENT_ISSUES_LIMIT = 500;

export interface DataQualityState {
  /** Checkpoint: messages at or below it were already applied. */
  readonly lastSeq: number;
  readonly total: number;
  readonly byKind: Readonly<Record<IssueKind, number>>;
  readonly byReason: Readonly<Partial<Record<IssueReason, number>>>;
  /** The newest RECENT_ISSUES_LIMIT issues, oldest first. */
  readonly recent: readonly Issue[];
}

export const initialDataQuality: DataQualityState = {
  lastSeq: 0,
  total: 0,
  byKind: { malformed: 0, unknown: 0, duplicate: 0, refused: 0 },
  byReason: {},
  recent: [],
};

function evolve(state: DataQualityState, decoded: Decoded, batch: Batch = newBatch()): DataQualityState {
  const seq = seqOf(decoded);
  if (seq <= state.lastSeq) return state;
  const next = draft(batch, state);
  next.lastSeq = seq;
  switch (decoded.kind) {
    case 'malformed':
      record(next, batch, {
        seq,
        subject: decoded.subject,
        reason: decoded.error.code,
        message: decoded.error.message,
        kind: 'malformed',
      });
      break;
    case 'unknown':
      record(next, batch, {
        seq,
        subject: decoded.meta.subject,
        reason: 'unknown_type',
        message: `unknown event type "${decoded.type.slice(0, 64)}"; kept, changes no view`,
        kind: 'unknown',
      });
      break;
    case 'stock':
      break;
    default: {
      const _unhandled: never = decoded;
      break;
    }
  }
  return next;
}

/** Notes a message the ledger skipped because an event with the same id was already applied. */
export function recordDuplicate(
  state: DataQualityState,
  meta: EventMeta,
  batch: Batch = newBatch(),
): DataQualityState {
  const message = `event id ${meta.id.slice(0, 80)} was already applied; this copy is ignored`;
  return recordDecision(state, meta, 'duplicate', 'duplicate', message, batch);
}

/** Notes a reversal the ledger could not apply, with why; it stays in the history and changes no figure. */
export function recordRefusedReversal(
  state: DataQualityState,
  meta: EventMeta,
  reason: ReversalRefusal,
  message: string,
  batch: Batch = newBatch(),
): DataQualityState {
  return recordDecision(state, meta, 'refused', reason, `${message}; kept, changes nothing`, batch);
}

/** An issue the ledger decided on (the decoder could not have): a duplicate, a refused reversal. */
function recordDecision(
  state: DataQualityState,
  meta: EventMeta,
  kind: IssueKind,
  reason: IssueReason,
  message: string,
  batch: Batch,
): DataQualityState {
  if (meta.seq <= state.lastSeq) return state;
  const next = draft(batch, state);
  next.lastSeq = meta.seq;
  record(next, batch, { seq: meta.seq, subject: meta.subject, reason, message, kind });
  return next;
}

function record(next: Mutable<DataQualityState>, batch: Batch, issue: Issue): void {
  next.total += 1;
  const byKind = draft(batch, next.byKind);
  byKind[issue.kind] += 1;
  next.byKind = byKind;
  const byReason = draft(batch, next.byReason);
  byReason[issue.reason] = (byReason[issue.reason] ?? 0) + 1;
  next.byReason = byReason;
  const recent = draftArray(batch, next.recent);
  recent.push(issue);
  if (recent.length > RECENT_ISSUES_LIMIT) recent.splice(0, recent.length - RECENT_ISSUES_LIMIT);
  next.recent = recent;
}

// ---------------------------------------------------------------------------------------------------------
// Selectors

/** Newest first, for an event-log style list. */
export function newestIssues(state: DataQualityState, limit = RECENT_ISSUES_LIMIT): Issue[] {
  return state.recent.slice(-limit).reverse();
}

/** Reason codes with their counts, largest first. */
export function reasonCounts(state: DataQualityState): { reason: IssueReason; count: number }[] {
  return (Object.entries(state.byReason) as [IssueReason, number][])
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
}

export const dataQualitySelectors = { newestIssues, reasonCounts };

export const dataQualityView: View<DataQualityState, typeof dataQualitySelectors> = {
  initialState: initialDataQuality,
  evolve,
  selectors: dataQualitySelectors,
};
