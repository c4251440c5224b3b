/**
 * The folds a set of shared checkpoints is written from (docs/architecture.md#checkpoints): the chain's, and
 * one per warehouse fed that warehouse's subjects alone (docs/architecture.md#one-warehouse-or-the-chain).
 * Every message is routed by its subject, malformed or not, as a reader with the warehouse's subject filter
 * would receive it; a subject outside every warehouse goes to the chain's fold only.
 */
import type { CheckpointContent } from './checkpoint-codec';
import { subjectOf, type Decoded } from './codec';
import { subjectWarehouse } from './events';
import { TimedFold, type TimedFoldStart } from './timed-fold';

/** What a set of checkpoints holds, taken at one moment: the fold may move on while it is written. */
export interface CheckpointSetContent {
  /** The chain's last sequence folded: every fold of the set holds its subjects up to here. */
  seq: number;
  /** Newest event time of the chain's fold: the week a week-end set is named by. */
  maxEventMs: number;
  chain: CheckpointContent;
  warehouses: [string, CheckpointContent][];
  /** Every warehouse of the chain, for the index (src/core/warehouse-index.ts). */
  names: string[];
}

export class CheckpointFolds {
  readonly chain: TimedFold;
  private readonly warehouses: Map<string, TimedFold>;

  constructor(
    private readonly markEvery: number,
    start?: { chain: TimedFoldStart; warehouses: ReadonlyMap<string, TimedFoldStart> },
  ) {
    this.chain = new TimedFold(markEvery, start?.chain);
    this.warehouses = new Map(
      [...(start?.warehouses ?? [])].map(([w, from]) => [w, new TimedFold(markEvery, from)]),
    );
  }

  apply(segment: readonly Decoded[]): void {
    if (segment.length === 0) return;
    this.chain.apply(segment);
    const byWarehouse = new Map<string, Decoded[]>();
    for (const decoded of segment) {
      const warehouse = subjectWarehouse(subjectOf(decoded));
      if (warehouse === null) continue;
      const own = byWarehouse.get(warehouse);
      if (own) own.push(decoded);
      else byWarehouse.set(warehouse, [decoded]);
    }
    for (const [warehouse, own] of byWarehouse) {
      let fold = this.warehouses.get(warehouse);
      if (!fold) {
        fold = new TimedFold(this.markEvery);
        this.warehouses.set(warehouse, fold);
      }
      fold.apply(own);
    }
  }

  /** The warehouses of the chain, in code-point order. */
  warehouseNames(): string[] {
    return [...this.warehouses.keys()].sort();
  }

  content(): CheckpointSetContent {
    const seq = this.chain.ledger.lastSeq;
    const names = this.warehouseNames();
    return {
      seq,
      maxEventMs: this.chain.maxEventMs,
      chain: this.chain.content(),
      warehouses: names.map((w): [string, CheckpointContent] => [
        w,
        (this.warehouses.get(w) as TimedFold).content(seq),
      ]),
      names,
    };
  }
}
