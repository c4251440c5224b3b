import { parseStockLevel, parseThreshold } from '../core/stock-level';
import type { KvLevel } from './protocol';

export interface KvEntry {
  key: string;
  revision: number;
  operation: 'PUT' | 'DEL' | 'PURGE';
  value: Uint8Array;
}

/** The latest entry per key of a watched bucket, kept in the worker and copied out into snapshots. */
export class KvMirror {
  private readonly entries = new Map<string, KvEntry>();
  /**
   * Each entry's level as parsed the first time it was asked for: parsing 100k values for every snapshot cost
   * more than the snapshot, and the same object each time lets a snapshot's change leave it out
   * (docs/architecture.md#snapshots-as-changes).
   */
  private readonly parsed = new Map<string, KvLevel>();
  ready = false;

  apply(entries: readonly KvEntry[], initialDone: boolean): void {
    for (const entry of entries) {
      const known = this.entries.get(entry.key);
      // A watcher may deliver an entry twice (ADR-8); a revision never goes backwards.
      if (known && known.revision >= entry.revision) continue;
      if (entry.operation === 'PUT') this.entries.set(entry.key, entry);
      else this.entries.delete(entry.key);
      this.parsed.delete(entry.key);
    }
    this.ready = this.ready || initialDone;
  }

  /** The keys `keep` accepts, each value parsed as a stock level. */
  levels(keep: (key: string) => boolean = () => true): Record<string, KvLevel> {
    const out: Record<string, KvLevel> = {};
    for (const [key, entry] of this.entries) {
      if (!keep(key)) continue;
      let level = this.parsed.get(key);
      if (!level) {
        level = { key, revision: entry.revision, value: parseStockLevel(entry.value) };
        this.parsed.set(key, level);
      }
      out[key] = level;
    }
    return out;
  }

  /** Each value parsed as JSON; a value that is not JSON is left out (the page says when a status is missing). */
  json(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of this.entries) {
      try {
        out[key] = JSON.parse(new TextDecoder().decode(entry.value));
      } catch {
        // an unreadable status is the same as none to the reader
      }
    }
    return out;
  }

  thresholds(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, entry] of this.entries) {
      const threshold = parseThreshold(entry.value);
      if (threshold !== null) out[key] = threshold;
    }
    return out;
  }
}
