/**
 * When the engine saves its fold and whether a saved fold may be used: it must belong to the same stream (same
 * creation time, not ahead of it) and to this version of the views.
 */
import type { LedgerState } from '../core/ledger';
import { restoreLedger, snapshotLedger } from '../core/ledger-snapshot';
import type { SavedFold } from './snapshot-store';

export interface FoldStore {
  load(key: string): Promise<unknown>;
  save(fold: SavedFold): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface RestoredFold {
  ledger: LedgerState;
  minEventMs: number;
  maxEventMs: number;
  savedAtMs: number;
}

export type RestoreOutcome =
  | { kind: 'restored'; fold: RestoredFold }
  | { kind: 'none' }
  | { kind: 'refused'; why: string }
  | { kind: 'failed'; error: unknown };

/** Saves cost a structured clone of the id set (~17 bytes per event): not more often than this. */
export const SAVE_AFTER_EVENTS = 50_000;
export const SAVE_AFTER_MS = 5 * 60_000;
export const MIN_SAVE_GAP_MS = 60_000;

export class FoldPersistence {
  private savedSeq = 0;
  private savedAtMs = Number.NEGATIVE_INFINITY;
  private saving = false;

  constructor(
    private readonly store: FoldStore,
    private readonly key: string,
  ) {}

  async restore(stream: { created: string; lastSeq: number }): Promise<RestoreOutcome> {
    let stored: unknown;
    try {
      stored = await this.store.load(this.key);
    } catch (error) {
      return { kind: 'failed', error };
    }
    if (stored === undefined || stored === null) return { kind: 'none' };
    const refuse = async (why: string): Promise<RestoreOutcome> => {
      await this.store.delete(this.key).catch(() => undefined);
      return { kind: 'refused', why };
    };
    const record = stored as Partial<SavedFold>;
    if (record.streamCreated !== stream.created) return refuse('the stream was recreated since it was saved');
    const restored = restoreLedger(record.snapshot);
    if (!restored.ok) return refuse(restored.detail);
    if (restored.ledger.lastSeq > stream.lastSeq) return refuse('it is ahead of the stream (rewound?)');
    const { minEventMs, maxEventMs, savedAtMs } = record;
    if (typeof minEventMs !== 'number' || typeof maxEventMs !== 'number' || typeof savedAtMs !== 'number') {
      return refuse('its event times are missing');
    }
    this.savedSeq = restored.ledger.lastSeq;
    return { kind: 'restored', fold: { ledger: restored.ledger, minEventMs, maxEventMs, savedAtMs } };
  }

  /**
   * Saves when the fold has caught up with the stream and is worth saving: first time, then after enough new
   * events or time. Returns the save in progress, or null when nothing is saved now.
   */
  maybeSave(
    ledger: LedgerState,
    caughtUp: boolean,
    context: { streamCreated: string; minEventMs: number; maxEventMs: number; nowMs: number },
  ): Promise<void> | null {
    if (!caughtUp || this.saving || ledger.lastSeq <= this.savedSeq) return null;
    const sinceMs = context.nowMs - this.savedAtMs;
    const newEvents = ledger.lastSeq - this.savedSeq;
    const due =
      this.savedAtMs === Number.NEGATIVE_INFINITY ||
      (newEvents >= SAVE_AFTER_EVENTS && sinceMs >= MIN_SAVE_GAP_MS) ||
      sinceMs >= SAVE_AFTER_MS;
    if (!due) return null;
    this.saving = true;
    const fold: SavedFold = {
      key: this.key,
      streamCreated: context.streamCreated,
      savedAtMs: context.nowMs,
      minEventMs: context.minEventMs,
      maxEventMs: context.maxEventMs,
      snapshot: snapshotLedger(ledger),
    };
    return this.store.save(fold).then(
      () => {
        this.saving = false;
        this.savedSeq = ledger.lastSeq;
        this.savedAtMs = context.nowMs;
      },
      (error: unknown) => {
        this.saving = false;
        // Try again later rather than on every batch.
        this.savedAtMs = context.nowMs;
        throw error;
      },
    );
  }

  /** The stream under the fold changed: what was saved is worthless. */
  async forget(): Promise<void> {
    this.savedSeq = 0;
    this.savedAtMs = Number.NEGATIVE_INFINITY;
    await this.store.delete(this.key);
  }
}
