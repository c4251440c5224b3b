import { describe, expect, it } from 'vitest';
import { applyBatch, initialLedger, ledgerViews } from '../core/ledger';
import { LEDGER_SNAPSHOT_VERSION } from '../core/ledger-snapshot';
import { HOUR_MS } from '../core/sales';
import { syntheticHistory } from '../core/testing';
import {
  FoldPersistence,
  MIN_SAVE_GAP_MS,
  SAVE_AFTER_EVENTS,
  SAVE_AFTER_MS,
  type FoldStore,
} from './fold-persistence';
import type { SavedFold } from './snapshot-store';

const KEY = 'k';
const CREATED = '2026-11-28T10:00:00Z';
const history = syntheticHistory(2000, 472_224 * HOUR_MS);
const ledger = applyBatch(initialLedger(), history);

/** Stores what IndexedDB would: a structured clone. */
function memoryStore(): FoldStore & { saved: Map<string, unknown> } {
  const saved = new Map<string, unknown>();
  return {
    saved,
    load: async (key) => saved.get(key),
    save: async (fold) => void saved.set(fold.key, structuredClone(fold)),
    delete: async (key) => void saved.delete(key),
  };
}

const context = (nowMs: number) => ({ streamCreated: CREATED, minEventMs: 1, maxEventMs: 2, nowMs });

describe('FoldPersistence', () => {
  it('given a saved fold of this stream, when reopened, then it restores the same views', async () => {
    const store = memoryStore();
    await new FoldPersistence(store, KEY).maybeSave(ledger, true, context(1000));
    const outcome = await new FoldPersistence(store, KEY).restore({ created: CREATED, lastSeq: 2500 });
    expect(outcome.kind).toBe('restored');
    if (outcome.kind !== 'restored') return;
    expect(ledgerViews(outcome.fold.ledger)).toEqual(ledgerViews(ledger));
    expect(outcome.fold).toMatchObject({ minEventMs: 1, maxEventMs: 2, savedAtMs: 1000 });
  });

  it('refuses and deletes a fold of a recreated stream, of a shorter stream, or of other views', async () => {
    const cases: [
      Partial<SavedFold> | ((f: SavedFold) => SavedFold),
      { created: string; lastSeq: number },
    ][] = [
      [{}, { created: '2026-11-28T11:00:00Z', lastSeq: 5000 }],
      [{}, { created: CREATED, lastSeq: 10 }],
      [
        (f) => ({ ...f, snapshot: { ...f.snapshot, version: LEDGER_SNAPSHOT_VERSION + 1 } }),
        { created: CREATED, lastSeq: 5000 },
      ],
      [(f) => ({ ...f, minEventMs: undefined as unknown as number }), { created: CREATED, lastSeq: 5000 }],
    ];
    for (const [change, stream] of cases) {
      const store = memoryStore();
      await new FoldPersistence(store, KEY).maybeSave(ledger, true, context(1000));
      const saved = store.saved.get(KEY) as SavedFold;
      store.saved.set(KEY, typeof change === 'function' ? change(saved) : { ...saved, ...change });
      const outcome = await new FoldPersistence(store, KEY).restore(stream);
      expect(outcome.kind).toBe('refused');
      expect(store.saved.has(KEY)).toBe(false);
    }
  });

  it('reports nothing saved, and a store that cannot be read, without throwing', async () => {
    expect(
      (await new FoldPersistence(memoryStore(), KEY).restore({ created: CREATED, lastSeq: 1 })).kind,
    ).toBe('none');
    const broken: FoldStore = {
      load: () => Promise.reject(new Error('quota')),
      save: () => Promise.reject(new Error('quota')),
      delete: () => Promise.reject(new Error('quota')),
    };
    expect((await new FoldPersistence(broken, KEY).restore({ created: CREATED, lastSeq: 1 })).kind).toBe(
      'failed',
    );
    await expect(new FoldPersistence(broken, KEY).maybeSave(ledger, true, context(0))).rejects.toThrow(
      'quota',
    );
  });

  it('saves once caught up, then only after enough new events or time', async () => {
    const store = memoryStore();
    const p = new FoldPersistence(store, KEY);
    expect(p.maybeSave(ledger, false, context(0))).toBeNull();
    await p.maybeSave(ledger, true, context(0));
    const more = { ...ledger, lastSeq: ledger.lastSeq + SAVE_AFTER_EVENTS };
    expect(
      p.maybeSave({ ...ledger, lastSeq: ledger.lastSeq + 10 }, true, context(MIN_SAVE_GAP_MS)),
    ).toBeNull();
    expect(p.maybeSave(more, true, context(MIN_SAVE_GAP_MS - 1))).toBeNull();
    await p.maybeSave(more, true, context(MIN_SAVE_GAP_MS));
    const few = { ...more, lastSeq: more.lastSeq + 1 };
    expect(p.maybeSave(few, true, context(MIN_SAVE_GAP_MS + SAVE_AFTER_MS - 1))).toBeNull();
    expect(p.maybeSave(few, true, context(MIN_SAVE_GAP_MS + SAVE_AFTER_MS))).not.toBeNull();
  });
});
