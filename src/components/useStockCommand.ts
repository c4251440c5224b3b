import { useState } from 'react';
import { validateCommand, type CommandInput, type FieldError } from '../core/commands';
import type { StockEvent } from '../core/events';
import type { WarehouseStockState } from '../core/warehouse-stock';
import { useEngine } from '../app/engine-context';
import type { PublishOutcome } from '../engine/protocol';

export interface Recorded {
  warehouse: string;
  event: StockEvent;
  outcome: PublishOutcome;
}

/**
 * Every stock form does the same: decide with the core (each problem tied to its field), then publish with the
 * subject sequence the view saw, so a change made meanwhile is refused instead of overwritten.
 */
export function useStockCommand() {
  const engine = useEngine();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const record = async (input: CommandInput, stock: WarehouseStockState): Promise<Recorded | null> => {
    const decision = validateCommand(input, stock);
    if (!decision.ok) {
      setErrors(decision.errors);
      return null;
    }
    setErrors([]);
    const outcome = await engine.publish({
      warehouse: decision.warehouse,
      event: decision.event,
      expectedLastSubjectSeq: decision.expectedLastSubjectSeq,
    });
    return { warehouse: decision.warehouse, event: decision.event, outcome };
  };
  return { errors, clearErrors: () => setErrors([]), record };
}
