/**
 * The filter form as typed (strings, local date-times) and the filter it stands for, with the problems
 * that keep it from being run.
 */
import { EMPTY_FILTER, filterProblems, type EventLogFilter, type TypeChip } from '../../core/event-log';

export interface FilterDraft {
  warehouse: string;
  product: string;
  text: string;
  /** `<input type="datetime-local">` values, local time; empty = open. */
  from: string;
  until: string;
  chips: TypeChip[];
}

export const EMPTY_DRAFT: FilterDraft = {
  warehouse: '',
  product: '',
  text: '',
  from: '',
  until: '',
  chips: [],
};

/** What a `datetime-local` input writes: local time, seconds and milliseconds only when needed. */
export const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/** A datetime-local value as ms since epoch in the browser's time zone; null when empty, NaN when invalid. */
export function parseLocal(value: string): number | null {
  const text = value.trim();
  if (text === '') return null;
  // Without an offset, ECMAScript reads a date-time as local time, which is what the input shows.
  return LOCAL_DATE_TIME.test(text) ? new Date(text).getTime() : Number.NaN;
}

export { toLocalInput } from '../../common/ui/local-time';

export function filterFromDraft(draft: FilterDraft): { filter: EventLogFilter; problems: string[] } {
  const fromMs = parseLocal(draft.from);
  const untilMs = parseLocal(draft.until);
  const problems: string[] = [];
  if (Number.isNaN(fromMs)) problems.push(`"Recorded from" is not a date and time`);
  if (Number.isNaN(untilMs)) problems.push(`"until" is not a date and time`);
  const filter: EventLogFilter = {
    ...EMPTY_FILTER,
    warehouse: draft.warehouse.trim(),
    product: draft.product.trim(),
    text: draft.text,
    chips: draft.chips,
    fromMs: fromMs !== null && !Number.isNaN(fromMs) ? fromMs : null,
    untilMs: untilMs !== null && !Number.isNaN(untilMs) ? untilMs : null,
  };
  return { filter, problems: [...problems, ...filterProblems(filter)] };
}

/** Any filter at all: the summary then speaks of matching events rather than events. */
export function isFiltered(filter: EventLogFilter): boolean {
  return (
    filter.warehouse !== '' ||
    filter.product !== '' ||
    filter.text.trim() !== '' ||
    filter.chips.length > 0 ||
    filter.fromMs !== null ||
    filter.untilMs !== null
  );
}

export function toggleChip(chips: readonly TypeChip[], chip: TypeChip): TypeChip[] {
  return chips.includes(chip) ? chips.filter((c) => c !== chip) : [...chips, chip];
}
