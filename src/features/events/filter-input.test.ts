import { describe, expect, it } from 'vitest';
import { EMPTY_FILTER } from '../../core/event-log';
import {
  EMPTY_DRAFT,
  filterFromDraft,
  isFiltered,
  parseLocal,
  toLocalInput,
  toggleChip,
} from './filter-input';

describe('the filter form', () => {
  it('reads local date-times and round-trips them', () => {
    const ms = 1_790_000_000_000;
    expect(parseLocal(toLocalInput(ms))).toBe(ms);
    expect(parseLocal('')).toBeNull();
    expect(parseLocal('yesterday')).toBeNaN();
    expect(parseLocal('2026-02-03T04:05')).toBe(new Date(2026, 1, 3, 4, 5).getTime());
  });

  it('turns the draft into a filter and lists what keeps it from running', () => {
    const from = toLocalInput(1_790_000_000_000);
    const { filter, problems } = filterFromDraft({
      ...EMPTY_DRAFT,
      warehouse: ' 46 ',
      product: 'Apples',
      from,
      chips: ['stock.sold'],
    });
    expect(problems).toEqual([]);
    expect(filter).toEqual({
      ...EMPTY_FILTER,
      warehouse: '46',
      product: 'Apples',
      chips: ['stock.sold'],
      fromMs: 1_790_000_000_000,
    });
    expect(isFiltered(filter)).toBe(true);
    expect(isFiltered(EMPTY_FILTER)).toBe(false);

    expect(filterFromDraft({ ...EMPTY_DRAFT, warehouse: 'a.b', until: 'soon' }).problems).toEqual([
      '"until" is not a date and time',
      'warehouse "a.b" contains "."; allowed are letters A–Z a–z, digits 0–9, "_" and "-", 1 to 64 characters',
    ]);
  });

  it('toggles a chip on and off', () => {
    expect(toggleChip([], 'malformed')).toEqual(['malformed']);
    expect(toggleChip(['malformed', 'other'], 'malformed')).toEqual(['other']);
  });
});
