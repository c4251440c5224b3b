import { useState, type FormEvent } from 'react';
import { FormProblems } from '../../common/ui/FormProblems';
import { useMutation } from '@tanstack/react-query';
import type { CommandField, CommandInput } from '../../core/commands';
import type { StockEventType } from '../../core/events';
import type { Grants } from '../../core/grants';
import { canPublishStock } from '../../core/roles';
import { NO_INTEREST } from '../../core/view-interest';
import { useViewInterest } from '../../common/use-view-interest';
import { productStock, type WarehouseStockState } from '../../core/warehouse-stock';
import { useFinalOutcome, useStockCommand } from '../../common/ui/useStockCommand';
import { useSnapshot } from '../../common/engine-queries';
import type { PublishOutcome } from '../../engine/protocol';
import { describeCommand, StockFormsOutbox } from './StockFormsOutbox';

const OPERATIONS: { type: StockEventType; label: string }[] = [
  { type: 'stock.sold', label: 'Sell' },
  { type: 'stock.replenished', label: 'Replenish' },
  { type: 'stock.moved', label: 'Move' },
  { type: 'stock.corrected', label: 'Correct count' },
  { type: 'stock.destroyed', label: 'Destroy' },
  { type: 'stock.returned', label: 'Return' },
];

type Fields = Omit<CommandInput, 'type'>;
const EMPTY: Fields = {
  warehouse: '',
  product: '',
  location: '',
  from: '',
  to: '',
  quantity: '',
  reason: '',
};

interface Submitted {
  outcome: PublishOutcome;
  summary: string;
  /** The product's location counts the user saw when submitting, to say what changed on a conflict. */
  seen: Map<string, number>;
  warehouse: string;
  product: string;
}

function locationCounts(stock: WarehouseStockState, warehouse: string, product: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [location, cell] of productStock(stock, warehouse, product)?.locations ?? []) {
    counts.set(location, cell.quantity);
  }
  return counts;
}

function describeChanges(before: Map<string, number>, after: Map<string, number>): string {
  const changes: string[] = [];
  for (const location of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(location) ?? 0;
    const now = after.get(location) ?? 0;
    if (was !== now) changes.push(`${location}: ${was} → ${now}`);
  }
  return changes.length === 0 ? 'no count changed (another event was recorded on it)' : changes.join(', ');
}

/** The manager's forms: each publishes one stock event and reports "recorded" once it is back in the view. */
export interface Prefill {
  warehouse: string;
  product: string;
  location: string;
}

export function StockForms({
  stock,
  prefill,
  grants,
}: {
  stock: WarehouseStockState;
  prefill: Prefill;
  grants: Grants;
}) {
  const { errors, clearErrors, record } = useStockCommand();
  const appliedSeq = useSnapshot()?.views.lastSeq ?? 0;
  const [type, setType] = useState<StockEventType>('stock.sold');
  const [fields, setFields] = useState<Fields>({ ...EMPTY, ...prefill, from: prefill.location });
  // A click on a stock cell (or a change of warehouse) fills the form; what the user typed otherwise stays.
  const [lastPrefill, setLastPrefill] = useState(prefill);
  if (prefill !== lastPrefill) {
    setLastPrefill(prefill);
    setFields((f) => ({ ...f, ...prefill, from: prefill.location }));
  }
  const mutation = useMutation({
    mutationFn: async (input: CommandInput): Promise<Submitted | null> => {
      // What the user saw, captured before publishing, to say what changed if the server refuses.
      const seen = locationCounts(stock, input.warehouse.trim(), input.product.trim());
      const recorded = await record(input, stock);
      if (!recorded) return null;
      const { event, warehouse, outcome } = recorded;
      return {
        outcome,
        summary: describeCommand(warehouse, event),
        seen,
        warehouse,
        product: event.product_name,
      };
    },
  });

  // A command is checked against the live stock of the warehouse typed in, which may be another one (the
  // engine then folds the chain, not only the warehouse on screen); one the person may not record in is refused
  // before that.
  const typed = fields.warehouse.trim();
  useViewInterest({
    ...NO_INTEREST,
    liveStock: typed !== '' && canPublishStock(grants, typed) ? [typed] : [],
  });

  const set = (field: keyof Fields) => (value: string) => setFields((f) => ({ ...f, [field]: value }));
  const errorFor = (field: CommandField) => errors.filter((e) => e.field === field).map((e) => e.message);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({ type, ...fields });
  };

  const input = (
    field: keyof Fields,
    label: string,
    props: { placeholder?: string; inputMode?: 'numeric' } = {},
  ) => (
    <label>
      {label}
      <input
        name={field}
        value={fields[field] ?? ''}
        onChange={(e) => set(field)(e.target.value)}
        aria-invalid={errorFor(field).length > 0}
        {...props}
      />
    </label>
  );

  const result = mutation.data;
  return (
    <section className="panel" aria-label="Record a stock event">
      <header>
        <h3>Record what happened</h3>
        <span className="hint">
          Each form publishes one event; the numbers above change when it comes back.
        </span>
      </header>
      <div className="op-tabs" role="group" aria-label="Operation">
        {OPERATIONS.map((op) => (
          <button
            key={op.type}
            type="button"
            aria-pressed={op.type === type}
            onClick={() => {
              setType(op.type);
              clearErrors();
              mutation.reset();
            }}
          >
            {op.label}
          </button>
        ))}
      </div>
      <form onSubmit={submit} noValidate>
        <div className="form-grid">
          {input('warehouse', 'Warehouse')}
          {input('product', 'Product', { placeholder: 'e.g. Apples' })}
          {type === 'stock.moved' ? (
            <>
              {input('from', 'From location')}
              {input('to', 'To location')}
            </>
          ) : (
            input(
              'location',
              type === 'stock.sold' || type === 'stock.replenished' || type === 'stock.returned'
                ? 'Location (empty = pool)'
                : 'Location',
            )
          )}
          {input('quantity', type === 'stock.corrected' ? 'Counted quantity' : 'Quantity', {
            inputMode: 'numeric',
          })}
          {type === 'stock.destroyed' && input('reason', 'Reason', { placeholder: 'rotten, damaged…' })}
          {type === 'stock.returned' &&
            input('reason', 'Reason (optional)', { placeholder: 'wrong size, faulty…' })}
          <button className="primary" type="submit" disabled={mutation.isPending}>
            {mutation.isPending ? 'Publishing…' : OPERATIONS.find((o) => o.type === type)?.label}
          </button>
        </div>
      </form>
      <FormProblems errors={errors} failure={mutation.error} />
      {result && <PublishResult submitted={result} appliedSeq={appliedSeq} stock={stock} />}
      <StockFormsOutbox />
    </section>
  );
}

function PublishResult({
  submitted,
  appliedSeq,
  stock,
}: {
  submitted: Submitted;
  appliedSeq: number;
  stock: WarehouseStockState;
}) {
  const { summary } = submitted;
  const outcome = useFinalOutcome(submitted.outcome);
  const waited = !submitted.outcome.ok && submitted.outcome.kind === 'queued';
  if (outcome.ok) {
    if (outcome.seq === null) {
      return (
        <div className="form-result ok" role="status" data-testid="form-result">
          Recorded: {summary} (a copy sent before the connection dropped had been stored; found in the
          replay).
        </div>
      );
    }
    const recorded = appliedSeq >= outcome.seq;
    return (
      <div className={`form-result ${recorded ? 'ok' : 'pending'}`} role="status" data-testid="form-result">
        {recorded
          ? `Recorded: ${summary} (event #${outcome.seq}${outcome.duplicate ? ', already stored earlier' : ''}).`
          : `Published as event #${outcome.seq}; waiting for it to come back through the stream…`}
      </div>
    );
  }
  if (outcome.kind === 'queued') {
    return (
      <div className="form-result pending" role="status" data-testid="form-result">
        {outcome.message}
      </div>
    );
  }
  if (outcome.kind === 'conflict') {
    const now = locationCounts(stock, submitted.warehouse, submitted.product);
    return (
      <div className="form-result error" role="alert" data-testid="form-result">
        Not recorded: {submitted.product} in warehouse {submitted.warehouse} changed while{' '}
        {waited ? 'it was waiting to be sent' : 'you were filling in the form'} (
        {describeChanges(submitted.seen, now)}). Check the figures and submit again.
      </div>
    );
  }
  return (
    <div className="form-result error" role="alert" data-testid="form-result">
      {outcome.kind === 'timeout' ? 'Not confirmed' : 'Not recorded'}: {outcome.message}
    </div>
  );
}
