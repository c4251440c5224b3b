import { describe, expect, it } from 'vitest';
import { applyBatch, initialLedger, ledgerViews, type LedgerState } from './ledger';
import { LEDGER_SNAPSHOT_VERSION, restoreLedger, snapshotLedger } from './ledger-snapshot';
import { hasRecentId } from './recent-ids';
import { HOUR_MS } from './sales';
import { idGenerations, syntheticHistory, testId } from './testing';
import { hasWarehouseId } from './warehouse-ids';

const NOW = 472_224 * HOUR_MS;

function fold(events: ReturnType<typeof syntheticHistory>, from = initialLedger()): LedgerState {
  let ledger = from;
  for (let i = 0; i < events.length; i += 1000) ledger = applyBatch(ledger, events.slice(i, i + 1000));
  return ledger;
}

/** IndexedDB stores what structuredClone produces: the snapshot must survive exactly that. */
const throughStorage = (value: unknown) => structuredClone(value);

describe('ledger snapshots', () => {
  const history = syntheticHistory(30_000, NOW);

  it('given a fold stored mid-stream, when restored and the rest folded, then the views equal one full fold', () => {
    const full = fold(history);
    for (const cut of [0, 1, 999, 17_345, 30_000]) {
      const stored = throughStorage(snapshotLedger(fold(history.slice(0, cut))));
      const restored = restoreLedger(stored);
      if (!restored.ok) throw new Error(restored.detail);
      const resumed = fold(history.slice(cut), restored.ledger);
      expect(ledgerViews(resumed)).toEqual(ledgerViews(full));
      expect(idGenerations(resumed.seenIds)).toEqual(idGenerations(full.seenIds));
    }
  });

  it('keeps every event id, so a copy delivered after the restart is still recognised', () => {
    const ledger = fold(history.slice(0, 5000));
    const restored = restoreLedger(throughStorage(snapshotLedger(ledger)));
    if (!restored.ok) throw new Error(restored.detail);
    const tenth = history.find((e) => e.kind !== 'malformed' && e.meta.id === testId(10));
    if (!tenth || tenth.kind === 'malformed') throw new Error('the history has no event with id 10');
    expect(hasWarehouseId(restored.ledger.seenIds, tenth.meta.warehouse, testId(10))).toBe(true);
    expect(hasWarehouseId(restored.ledger.seenIds, tenth.meta.warehouse, 'not-an-id')).toBe(false);
    // Non-UUID ids take the other path of the id set.
    const odd = applyBatch(initialLedger(), [
      {
        ...history[0]!,
        ...(history[0]!.kind === 'stock' ? { meta: { ...history[0]!.meta, id: 'order-7/line-2' } } : {}),
      },
    ] as typeof history);
    const back = restoreLedger(throughStorage(snapshotLedger(odd)));
    const oddIds = (ledger: LedgerState) =>
      [...ledger.seenIds.byWarehouse.values()].flatMap((r) => [...(r.current.store?.strings.keys() ?? [])]);
    expect(back.ok && oddIds(back.ledger)).toEqual(oddIds(odd));
    expect(back.ok && hasRecentId([...back.ledger.seenIds.byWarehouse.values()][0]!, 'order-7/line-2')).toBe(
      true,
    );
  });

  it('refuses a snapshot of another views version instead of misreading it', () => {
    const stored = { ...snapshotLedger(fold(history.slice(0, 100))), version: LEDGER_SNAPSHOT_VERSION - 1 };
    expect(restoreLedger(stored)).toMatchObject({ ok: false, reason: 'other_version' });
    expect(restoreLedger({ ...stored, version: LEDGER_SNAPSHOT_VERSION + 1 })).toMatchObject({
      ok: false,
      reason: 'other_version',
    });
  });

  it('refuses damaged snapshots', () => {
    const good = snapshotLedger(fold(history.slice(0, 100)));
    const [warehouse, recent] = [...good.ids.byWarehouse][0]!;
    const ids = recent.current;
    const withIds = (changed: object) => ({
      ...good,
      ids: {
        ...good.ids,
        byWarehouse: new Map([...good.ids.byWarehouse, [warehouse, { ...recent, ...changed }]]),
      },
    });
    const cases: unknown[] = [
      null,
      'text',
      [],
      { ...good, lastSeq: -1 },
      { ...good, applied: 1.5 },
      { ...good, stock: { warehouses: {}, subjectSeqs: new Map() } },
      { ...good, sales: null },
      { ...good, procurement: { levels: new Map() } },
      { ...good, quality: { recent: 'x', byKind: {} } },
      withIds({ current: { ...ids, size: ids.size + 1 } }),
      withIds({ current: { ...ids, words: new Uint32Array(3) } }),
      withIds({ current: { ...ids, kinds: new Uint8Array(ids.size).fill(9) } }),
      withIds({ current: { ...ids, strings: [['x', 0]] } }),
      withIds({ previous: null }),
      withIds({ sinceMs: Number.NaN }),
      withIds({ horizonMs: recent.horizonMs + 1 }),
      { ...good, ids: { ...good.ids, horizonMs: 0 } },
      { ...good, ids: { ...good.ids, byWarehouse: new Map([[7, recent]]) } },
      { ...good, ids: { ...good.ids, byWarehouse: {} } },
      { ...good, ids: undefined },
    ];
    for (const stored of cases) expect(restoreLedger(stored)).toMatchObject({ ok: false, reason: 'damaged' });
    expect(restoreLedger(good).ok).toBe(true);
  });

  it(`records the shape of views version ${LEDGER_SNAPSHOT_VERSION}: raise the version when this changes`, () => {
    const snapshot = snapshotLedger(fold(history));
    expect({ version: LEDGER_SNAPSHOT_VERSION, shape: shapeOf(snapshot) }).toMatchInlineSnapshot(`
      {
        "shape": {
          "applied": "number",
          "ids": {
            "byWarehouse": {
              "Map": [
                "string",
                {
                  "current": {
                    "kinds": "Uint8Array",
                    "size": "number",
                    "strings": "Array<empty>",
                    "words": "Uint32Array",
                  },
                  "horizonMs": "number",
                  "previous": {
                    "kinds": "Uint8Array",
                    "size": "number",
                    "strings": "Array<empty>",
                    "words": "Uint32Array",
                  },
                  "sinceMs": "number",
                },
              ],
            },
            "horizonMs": "number",
          },
          "lastSeq": "number",
          "procurement": {
            "levels": {
              "Map": [
                "string",
                {
                  "Map": [
                    "string",
                    {
                      "last_seq": "number",
                      "product_name": "string",
                      "quantity": "number",
                      "updated_ms": "number",
                      "warehouse": "string",
                    },
                  ],
                },
              ],
            },
            "locations": {
              "Map": [
                "string",
                {
                  "Map": [
                    "string",
                    {
                      "Map": [
                        "string",
                        "number",
                      ],
                    },
                  ],
                },
              ],
            },
          },
          "quality": {
            "byKind": {
              "duplicate": "number",
              "malformed": "number",
              "refused": "number",
              "unknown": "number",
            },
            "byReason": {
              "bad_json": "number",
              "duplicate": "number",
              "unknown_type": "number",
            },
            "lastSeq": "number",
            "recent": {
              "Array": {
                "kind": "string",
                "message": "string",
                "reason": "string",
                "seq": "number",
                "subject": "string",
              },
            },
            "total": "number",
          },
          "sales": {
            "hours": {
              "Map": [
                "number",
                {
                  "Map": [
                    "string",
                    {
                      "minutes": {
                        "Array": "number",
                      },
                      "product": "string",
                      "total": "number",
                      "warehouse": "string",
                    },
                  ],
                },
              ],
            },
            "lastSeq": "number",
            "newestMs": "number",
          },
          "skipped": "number",
          "stock": {
            "subjectSeqs": {
              "Map": [
                "string",
                {
                  "Map": [
                    "string",
                    "number",
                  ],
                },
              ],
            },
            "warehouses": {
              "Map": [
                "string",
                {
                  "Map": [
                    "string",
                    {
                      "lastSeq": "number",
                      "locations": {
                        "Map": [
                          "string",
                          {
                            "quantity": "number",
                            "seq": "number",
                            "updatedMs": "number",
                          },
                        ],
                      },
                      "product": "string",
                      "total": "number",
                      "updatedMs": "number",
                      "warehouse": "string",
                    },
                  ],
                },
              ],
            },
          },
          "undo": {
            "byWarehouse": {
              "Map": [
                "string",
                {
                  "current": {
                    "Array": {
                      "Array": "string",
                    },
                  },
                  "previous": "Array<empty>",
                  "sinceMs": "number",
                },
              ],
            },
            "horizonMs": "number",
          },
          "version": "number",
        },
        "version": 5,
      }
    `);
  });
});

/** Field names and value kinds, recursively (one entry per Map and array), to detect a changed view shape. */
function shapeOf(value: unknown): unknown {
  if (value instanceof Map) {
    const first = value.entries().next();
    return first.done ? 'Map<empty>' : { Map: [shapeOf(first.value[0]), shapeOf(first.value[1])] };
  }
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (Array.isArray(value)) return value.length === 0 ? 'Array<empty>' : { Array: shapeOf(value[0]) };
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, shapeOf((value as Record<string, unknown>)[k])]),
    );
  }
  return value === null ? 'null' : typeof value;
}
