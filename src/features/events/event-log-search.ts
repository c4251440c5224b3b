/**
 * What the event log's address holds (docs/architecture.md#addresses): the filters as typed — warehouse,
 * product, payload text, the recorded-from and until times (local, as the inputs show them), the type chips —
 * and the event whose details are open. Paging stays in the page: it is read as of the moment the list was read.
 */
import { TYPE_CHIPS, type TypeChip } from '../../core/event-log';
import { countValue, textValue, type RawSearch } from '../../common/address/search-values';
import { EMPTY_DRAFT, LOCAL_DATE_TIME, type FilterDraft } from './filter-input';

export interface EventLogSearch {
  warehouse?: string;
  product?: string;
  text?: string;
  from?: string;
  until?: string;
  /** Type chips, comma-separated, in the order of the chips on the page. */
  types?: string;
  /** The sequence of the event whose details are open. */
  event?: number;
}

/**
 * Keeps what the form could have produced. A warehouse or product that is not a name stays: the form then
 * says what is wrong with it, as it does when it is typed.
 */
export function parseEventLogSearch(raw: RawSearch): EventLogSearch {
  const time = (name: string) => {
    const value = textValue(raw, name);
    return value !== undefined && LOCAL_DATE_TIME.test(value) ? value : undefined;
  };
  const chips = chipsOf(textValue(raw, 'types'));
  // Every name present, unset when dropped: the router lays the validated values over what was in the address.
  return {
    warehouse: textValue(raw, 'warehouse'),
    product: textValue(raw, 'product'),
    text: textValue(raw, 'text'),
    from: time('from'),
    until: time('until'),
    types: chips.length === 0 ? undefined : chips.join(','),
    event: countValue(raw, 'event'),
  };
}

function chipsOf(value: string | undefined): TypeChip[] {
  if (value === undefined) return [];
  const named = new Set(value.split(','));
  return TYPE_CHIPS.filter((chip) => named.has(chip));
}

export function draftOf(search: EventLogSearch): FilterDraft {
  return {
    warehouse: search.warehouse ?? EMPTY_DRAFT.warehouse,
    product: search.product ?? EMPTY_DRAFT.product,
    text: search.text ?? EMPTY_DRAFT.text,
    from: search.from ?? EMPTY_DRAFT.from,
    until: search.until ?? EMPTY_DRAFT.until,
    chips: chipsOf(search.types),
  };
}

/** The address of a filter as typed, with the open event if any. */
export function searchOf(draft: FilterDraft, event: number | null): EventLogSearch {
  return parseEventLogSearch({
    warehouse: draft.warehouse,
    product: draft.product,
    text: draft.text,
    from: draft.from,
    until: draft.until,
    types: draft.chips.join(','),
    event: event === null ? undefined : String(event),
  });
}
