/**
 * The stored messages of one product subject, read from the stream through the engine and kept while the
 * trail is open. It reads the whole subject once, then only what is new: the page says how far the engine's
 * live tail has seen the subject (`want`), and the source reads on from its last sequence until it has that.
 */
import { seqOf } from '../../core/view';
import type { AuditOutcome, AuditQuery, AuditRecord } from '../../engine/audit-port';

export type FetchAudit = (query: AuditQuery) => Promise<AuditOutcome>;

export interface AuditSourceState {
  /** In stream order, each sequence once. */
  records: readonly AuditRecord[];
  /** Everything on the subject up to this sequence has been read. */
  throughSeq: number;
  /** The first complete read has not finished yet. */
  loading: boolean;
  /** Why the last read failed; cleared by the next good one. */
  error: string | null;
}

const INITIAL: AuditSourceState = { records: [], throughSeq: 0, loading: true, error: null };

export class AuditSource {
  private state: AuditSourceState = INITIAL;
  private readonly listeners = new Set<() => void>();
  private wanted = 0;
  private running = false;
  private open = true;
  private started = false;

  constructor(
    private readonly fetchAudit: FetchAudit,
    readonly warehouse: string,
    readonly product: string,
  ) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): AuditSourceState => this.state;

  /** Reads until the subject's sequence `seq` is in; the first call reads the whole subject. */
  want(seq: number): void {
    this.wanted = Math.max(this.wanted, seq);
    if (!this.started || this.wanted > this.state.throughSeq) void this.run();
  }

  /** Tries again after a failed read. */
  retry(): void {
    void this.run();
  }

  /** Stops delivering; `resume` undoes it (React runs effects twice in development). */
  close(): void {
    this.open = false;
  }

  resume(): void {
    this.open = true;
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.started = true;
    try {
      for (;;) {
        const wantedBefore = this.wanted;
        const outcome = await this.fetchAudit({
          warehouse: this.warehouse,
          product: this.product,
          fromSeq: this.state.throughSeq + 1,
        });
        if (!this.open) return;
        if (!outcome.ok) {
          this.set({ ...this.state, loading: false, error: outcome.message });
          return;
        }
        const fresh = outcome.records.filter((r) => seqOf(r.decoded) > this.state.throughSeq);
        this.set({
          records: fresh.length > 0 ? [...this.state.records, ...fresh] : this.state.records,
          throughSeq: Math.max(this.state.throughSeq, outcome.throughSeq),
          loading: false,
          error: null,
        });
        if (!outcome.complete) continue;
        // A sequence the engine saw may have been stored after this read started: read again, but only
        // while reads make progress or the engine has seen more since, so a sequence that never comes
        // (a stream recreated under us) cannot make this loop spin.
        const behind = this.wanted > this.state.throughSeq;
        if (!behind || (fresh.length === 0 && this.wanted === wantedBefore)) return;
      }
    } catch (error) {
      if (this.open) this.set({ ...this.state, loading: false, error: String(error) });
    } finally {
      this.running = false;
    }
  }

  private set(state: AuditSourceState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}
