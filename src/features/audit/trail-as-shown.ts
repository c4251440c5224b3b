/** The trail of the views the page shows: live, or cut where the past moment's fold stopped. */
import { auditTrail, type AuditScope, type AuditTrail } from '../../core/audit';
import type { DataQualityState, Issue } from '../../core/data-quality';
import { stockSubject } from '../../core/events';
import { seqOf } from '../../core/view';
import type { AuditRecord } from '../../engine/audit-port';

/**
 * `untilSeq` is the last sequence the shown views folded (a past moment), or Infinity when live.
 * `quality` supplies the ledger's own duplicates and refused reversals: an id first counted on another subject
 * of the warehouse is one of them, and only the ledger, which sees every subject of it, can know it; a
 * reversal of an event the ledger no longer remembers is one of the others.
 */
export function trailAsShown(
  records: readonly AuditRecord[],
  scope: AuditScope,
  quality: DataQualityState | undefined,
  untilSeq: number,
): AuditTrail {
  const subject = stockSubject(scope.warehouse, scope.product);
  const issues = (quality?.recent ?? []).filter((i) => i.subject === subject);
  const seqsOf = (kind: Issue['kind']) => new Set(issues.filter((i) => i.kind === kind).map((i) => i.seq));
  return auditTrail(
    records.filter((r) => seqOf(r.decoded) <= untilSeq).map((r) => r.decoded),
    scope,
    { skippedSeqs: seqsOf('duplicate'), refusedSeqs: seqsOf('refused') },
  );
}
