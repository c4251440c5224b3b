import { useEffect, useState, useSyncExternalStore } from 'react';
import {
  validateCommand,
  validateUndo,
  type CommandDecision,
  type CommandInput,
  type FieldError,
  type UndoInput,
} from '../../core/commands';
import type { StockEvent } from '../../core/events';
import type { WarehouseStockState } from '../../core/warehouse-stock';
import { useEngine } from '../engine-context';
import type { PublishOutcome, QueuedCommand } from '../../engine/protocol';

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
  const publish = async (decision: CommandDecision): Promise<Recorded | null> => {
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
  return {
    errors,
    clearErrors: () => setErrors([]),
    record: (input: CommandInput, stock: WarehouseStockState) => publish(validateCommand(input, stock)),
    undo: (input: UndoInput, stock: WarehouseStockState) => publish(validateUndo(input, stock)),
  };
}

/** The outcome to show for a publish: a queued command's final outcome once the engine has one. */
export function useFinalOutcome(outcome: PublishOutcome): PublishOutcome {
  const engine = useEngine();
  const [final, setFinal] = useState<{ of: PublishOutcome; outcome: PublishOutcome } | null>(null);
  useEffect(() => {
    if (outcome.ok || outcome.kind !== 'queued') return;
    let current = true;
    void engine.settled(outcome.id).then((settled) => {
      if (current) setFinal({ of: outcome, outcome: settled });
    });
    return () => {
      current = false;
    };
  }, [engine, outcome]);
  return final?.of === outcome ? final.outcome : outcome;
}

/** The commands waiting in the engine's outbox, oldest first. */
export function useQueuedCommands(): QueuedCommand[] {
  const engine = useEngine();
  return useSyncExternalStore(
    (onChange) => engine.subscribeQueued(onChange),
    () => engine.queued(),
  );
}
