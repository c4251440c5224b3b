/** The words of the audit trail: what each event was, what it did to the number, who published it. */
import type { AuditLine, AuditScope } from '../../core/audit';
import { UNASSIGNED_LOCATION } from '../../core/events';
import { formatCount } from '../../common/ui/format';

const MINUS = '\u2212';

/** "+20", "−3", "±0": a change of a count, with the typographic minus the grid uses. */
export function signed(delta: number): string {
  if (delta > 0) return `+${formatCount(delta)}`;
  if (delta < 0) return `${MINUS}${formatCount(-delta)}`;
  return '\u00b10';
}

export function placeName(location: string): string {
  return location === UNASSIGNED_LOCATION ? 'the pool (-)' : location;
}

/** What the scope is about, as a heading: "Apples at A1" or "Apples, all locations". */
export function scopeTitle(scope: AuditScope): string {
  return scope.location === null
    ? `${scope.product}, all locations`
    : `${scope.product} at ${placeName(scope.location)}`;
}

/** The event in a few words, e.g. "sold 3 at A1"; for a malformed message, the type its header claimed. */
export function eventText(line: AuditLine, claimedType: string | null = null): string {
  const e = line.event;
  if (e === null) {
    if (line.type !== null) return line.type;
    return claimedType ? claimedType : '(no type header)';
  }
  if (e.type === 'stock.reversed') return `undo of ${shortId(e.reverses)} (${e.reason})`;
  const q = formatCount(e.quantity);
  switch (e.type) {
    case 'stock.corrected':
      return `counted ${q} at ${placeName(e.location)}`;
    case 'stock.replenished':
      return `replenished ${q} at ${placeName(e.location)}`;
    case 'stock.sold':
      return `sold ${q} at ${placeName(e.location)}`;
    case 'stock.destroyed':
      return `destroyed ${q} at ${placeName(e.location)} (${e.reason})`;
    case 'stock.moved':
      return `moved ${q} from ${placeName(e.from)} to ${placeName(e.to)}`;
    case 'stock.returned':
      return `returned ${q} to ${placeName(e.location)}${e.reason ? ` (${e.reason})` : ''}`;
    default: {
      const _unhandled: never = e;
      return '';
    }
  }
}

/** What the line did to the audited number, e.g. "set to 5 (was 7)" or "duplicate of #12, not counted". */
export function effectText(line: AuditLine, scope: AuditScope): string {
  switch (line.status) {
    case 'duplicate':
      return line.duplicateOf != null
        ? `duplicate of #${line.duplicateOf}, not counted`
        : 'duplicate of an event already counted elsewhere, not counted';
    case 'malformed':
      return `malformed: ${line.error?.message ?? 'unreadable'}; not counted`;
    case 'unknown_type':
      return 'unknown type, not counted';
    case 'refused':
      return 'names no event it can undo here (unknown, already undone, a count, or older than the id horizon); not counted';
    case 'counted':
      break;
  }
  const effect = line.effect;
  const perLocation = scope.location !== null;
  switch (effect.kind) {
    case 'change':
      return perLocation ? signed(effect.delta) : `${signed(effect.delta)} at ${placeName(effect.location)}`;
    case 'set': {
      const set = `set to ${formatCount(effect.quantity)} (was ${formatCount(effect.was)})`;
      return perLocation ? set : `${placeName(effect.location)} ${set}: ${signed(effect.delta)}`;
    }
    case 'move': {
      const q = formatCount(effect.quantity);
      if (!perLocation) return `moved ${q} between locations: ${signed(0)}`;
      return effect.delta < 0
        ? `moved ${q} to ${placeName(effect.to)}: ${signed(effect.delta)}`
        : `moved ${q} from ${placeName(effect.from)}: ${signed(effect.delta)}`;
    }
    case 'elsewhere':
      return `no effect here (at ${effect.locations.map(placeName).join(' and ')})`;
    case 'none':
      return 'no effect';
    default: {
      const _unhandled: never = effect;
      return '';
    }
  }
}

/** The event id a person can compare at a glance; the full value is in the headers. */
export function shortId(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}
