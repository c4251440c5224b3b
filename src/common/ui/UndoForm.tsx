import { useId, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { productStock } from '../../core/warehouse-stock';
import { NO_INTEREST } from '../../core/view-interest';
import { useSnapshot } from '../engine-queries';
import { useViewInterest } from '../use-view-interest';
import type { PublishOutcome } from '../../engine/protocol';
import { FormProblems } from './FormProblems';
import { useFinalOutcome, useStockCommand } from './useStockCommand';

interface Props {
  warehouse: string;
  product: string;
  /** The id of the event to take back (`seq:<n>` for one published without an id). */
  eventId: string;
  /** The event in words, so the person sees what they are about to take back. */
  summary: string;
  onClose: () => void;
}

/**
 * "Undo": records a `stock.reversed` of one event, with why (docs/architecture.md#undo). The event stays in
 * the history beside its undo; the engine refuses an undo the fold would not apply (already undone, a count,
 * older than the id horizon) before anything is published.
 */
export function UndoForm({ warehouse, product, eventId, summary, onClose }: Props) {
  // The live stock of the warehouse gives the sequence the undo expects on the product's subject.
  useViewInterest({ ...NO_INTEREST, liveStock: [warehouse] });
  const stock = useSnapshot()?.views.stock;
  const ready = stock !== undefined && productStock(stock, warehouse, product) !== undefined;
  const { errors, undo } = useStockCommand();
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const mutation = useMutation({
    mutationFn: async (): Promise<PublishOutcome | null> =>
      stock
        ? ((await undo({ warehouse, product, reverses: eventId, reason }, stock))?.outcome ?? null)
        : null,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  const outcome = mutation.data;
  return (
    <form className="undo-form" onSubmit={submit} aria-label="Undo this event" noValidate>
      <p>
        Undo <strong>{summary}</strong>? It stays in the history, with the undo beside it, and every figure is
        as if it had not been recorded.
      </p>
      <div className="undo-fields">
        <label htmlFor={reasonId}>Why</label>
        <input
          id={reasonId}
          name="reason"
          value={reason}
          placeholder="e.g. scanned twice"
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={errors.some((e) => e.field === 'reason')}
        />
        <button
          className="primary"
          type="submit"
          disabled={!ready || mutation.isPending || outcome?.ok === true}
        >
          {mutation.isPending ? 'Publishing…' : ready ? 'Record undo' : `Reading warehouse ${warehouse}…`}
        </button>
        <button type="button" onClick={onClose}>
          {outcome?.ok ? 'Close' : 'Cancel'}
        </button>
      </div>
      <FormProblems errors={errors} failure={mutation.error} />
      {outcome && <UndoOutcome outcome={outcome} />}
    </form>
  );
}

function UndoOutcome({ outcome: first }: { outcome: PublishOutcome }) {
  const outcome = useFinalOutcome(first);
  if (outcome.ok) {
    return (
      <div className="form-result ok" role="status" data-testid="undo-result">
        {outcome.seq === null
          ? 'Undone (a copy sent before the connection dropped had been stored).'
          : `Undone as event #${outcome.seq}.`}
      </div>
    );
  }
  if (outcome.kind === 'queued') {
    return (
      <div className="form-result pending" role="status" data-testid="undo-result">
        {outcome.message}
      </div>
    );
  }
  const text =
    outcome.kind === 'conflict'
      ? 'another event was recorded on this product meanwhile; look at the trail again before undoing.'
      : outcome.message;
  return (
    <div className="form-result error" role="alert" data-testid="undo-result">
      {outcome.kind === 'timeout' ? 'Not confirmed' : 'Not recorded'}: {text}
    </div>
  );
}
