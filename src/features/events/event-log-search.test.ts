import { describe, expect, it } from 'vitest';
import { EMPTY_DRAFT } from './filter-input';
import { draftOf, parseEventLogSearch, searchOf } from './event-log-search';

describe("the event log's address", () => {
  it('given every filter and an open event, then the form shows them', () => {
    const search = parseEventLogSearch({
      warehouse: '46',
      product: 'Apples',
      text: 'crushed',
      from: '2026-12-01T08:00',
      until: '2026-12-02T08:00:30',
      types: 'stock.sold,malformed',
      event: '1234',
    });
    expect(draftOf(search)).toEqual({
      warehouse: '46',
      product: 'Apples',
      text: 'crushed',
      from: '2026-12-01T08:00',
      until: '2026-12-02T08:00:30',
      chips: ['stock.sold', 'malformed'],
    });
    expect(search.event).toBe(1234);
  });

  it('given unknown chips, bad times and a bad event, then those are dropped and the rest kept', () => {
    const search = parseEventLogSearch({
      product: 'Apples',
      from: 'yesterday',
      until: '2026-12-02 08:00',
      types: 'stock.sold,stock.stolen,,stock.sold',
      event: '-3',
    });
    expect(search).toEqual({ product: 'Apples', types: 'stock.sold' });
    expect(draftOf(parseEventLogSearch({ types: 'nothing' }))).toEqual(EMPTY_DRAFT);
  });

  it('keeps a warehouse that is no name, so that the form says what is wrong with it', () => {
    expect(draftOf(parseEventLogSearch({ warehouse: 'a.b' })).warehouse).toBe('a.b');
  });

  it('writes a draft as an address that reads back as the same draft, chips in page order', () => {
    const draft = {
      ...EMPTY_DRAFT,
      warehouse: '52',
      from: '2026-12-01T08:00',
      chips: ['malformed' as const, 'stock.corrected' as const],
    };
    const search = searchOf(draft, 7);
    expect(search).toEqual({
      warehouse: '52',
      from: '2026-12-01T08:00',
      types: 'stock.corrected,malformed',
      event: 7,
    });
    expect(draftOf(search)).toEqual({ ...draft, chips: ['stock.corrected', 'malformed'] });
    expect(searchOf(EMPTY_DRAFT, null)).toEqual({});
  });
});
