import { useState, type FormEvent } from 'react';
import { FormProblems } from '../../common/ui/FormProblems';
import { useMutation } from '@tanstack/react-query';
import type { AuditScope } from '../../core/audit';
import { UNASSIGNED_LOCATION } from '../../core/events';
import { productStock, type WarehouseStockState } from '../../core/warehouse-stock';
import { useFinalOutcome, useStockCommand } from '../../common/ui/useStockCommand';
import { formatCount } from '../../common/ui/format';
import type { PublishOutcome } from '../../engine/protocol';
import { placeName } from './audit-text';

interface Props {
  scope: AuditScope;
  /** The live stock view: the counts to start from and the sequence to expect when publishing. */
  stock: WarehouseStockState;
  /** The trail's newest sequence, to say when the correction has become its newest line. */
  trailSeq: number;
  onCancel: () => void;
}

function countAt(stock: WarehouseStockState, scope: AuditScope, location: string): number {
  return productStock(stock, scope.warehouse, scope.product)?.locations.get(location)?.quantity ?? 0;
}

/**
 * "Correct this": a stocktake count for the audited location, starting from what the records say. A
 * product total has no single count, so the location is chosen first.
 */
export function CorrectionForm({ scope, stock, trailSeq, onCancel }: Props) {
  const { errors, record } = useStockCommand();
  const locations = [...(productStock(stock, scope.warehouse, scope.product)?.locations.keys() ?? [])].sort();
  const [location, setLocation] = useState(scope.location ?? locations[0] ?? UNASSIGNED_LOCATION);
  const [quantity, setQuantity] = useState(() => String(countAt(stock, scope, location)));
  const mutation = useMutation({
    mutationFn: async (): Promise<{ outcome: PublishOutcome; counted: number } | null> => {
      const recorded = await record(
        {
          type: 'stock.corrected',
          warehouse: scope.warehouse,
          product: scope.product,
          location,
          quantity,
        },
        stock,
      );
      return recorded?.event.type === 'stock.corrected'
        ? { outcome: recorded.outcome, counted: recorded.event.quantity }
        : null;
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  const pick = (next: string) => {
    setLocation(next);
    setQuantity(String(countAt(stock, scope, next)));
  };
  const result = mutation.data;

  return (
    <form className="audit-correct" onSubmit={submit} aria-label="Correct this count" noValidate>
      <div className="audit-correct-fields">
        {scope.location === null ? (
          <label>
            Location
            <select name="location" value={location} onChange={(e) => pick(e.target.value)}>
              {locations.map((l) => (
                <option key={l} value={l}>
                  {placeName(l)}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <div className="audit-correct-where">
            Counted at <strong>{placeName(location)}</strong>
          </div>
        )}
        <label>
          Counted quantity (records say {formatCount(countAt(stock, scope, location))})
          <input
            name="quantity"
            value={quantity}
            inputMode="numeric"
            onChange={(e) => setQuantity(e.target.value)}
            aria-invalid={errors.some((e) => e.field === 'quantity')}
          />
        </label>
        <button className="primary" type="submit" disabled={mutation.isPending}>
          {mutation.isPending ? 'Publishing…' : 'Record correction'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <FormProblems errors={errors} failure={mutation.error} />
      {result && <Outcome outcome={result.outcome} counted={result.counted} trailSeq={trailSeq} />}
    </form>
  );
}

function Outcome({
  outcome: first,
  counted,
  trailSeq,
}: {
  outcome: PublishOutcome;
  counted: number;
  trailSeq: number;
}) {
  const outcome = useFinalOutcome(first);
  if (!outcome.ok && outcome.kind === 'queued') {
    return (
      <div className="form-result pending" role="status" data-testid="audit-correction-result">
        {outcome.message}
      </div>
    );
  }
  if (!outcome.ok) {
    const text =
      outcome.kind === 'conflict'
        ? 'another event was recorded on this product meanwhile; check the trail and count again.'
        : outcome.message;
    return (
      <div className="form-result error" role="alert" data-testid="audit-correction-result">
        {outcome.kind === 'timeout' ? 'Not confirmed' : 'Not recorded'}: {text}
      </div>
    );
  }
  if (outcome.seq === null) {
    return (
      <div className="form-result ok" role="status" data-testid="audit-correction-result">
        Recorded: counted {formatCount(counted)} (a copy sent before the connection dropped had been stored;
        found in the replay).
      </div>
    );
  }
  const inTrail = trailSeq >= outcome.seq;
  return (
    <div
      className={`form-result ${inTrail ? 'ok' : 'pending'}`}
      role="status"
      data-testid="audit-correction-result"
    >
      {inTrail
        ? `Recorded: counted ${formatCount(counted)} as event #${outcome.seq}${trailSeq === outcome.seq ? ', the newest line of the trail' : ''}.`
        : `Published as event #${outcome.seq}; reading it back from the stream…`}
    </div>
  );
}
