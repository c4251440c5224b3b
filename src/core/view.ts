/**
 * A view (docs/architecture.md#views): an initial state, a total `evolve` over decoded stream messages, and
 * selectors that read the state. `evolve` never changes the state it is given; the optional batch only lets a
 * fold of many events reuse the containers it created itself (see batch.ts).
 */
import { newBatch, type Batch } from './batch';
import type { Decoded } from './codec';

export interface View<S, Selectors = Record<string, never>> {
  readonly initialState: S;
  evolve(state: S, decoded: Decoded, batch?: Batch): S;
  readonly selectors: Selectors;
}

/** Folds messages in order into `state` (the view's initial state by default), copying each container once. */
export function fold<S>(
  view: View<S, unknown>,
  decodeds: Iterable<Decoded>,
  state: S = view.initialState,
): S {
  const batch = newBatch();
  let next = state;
  for (const decoded of decodeds) next = view.evolve(next, decoded, batch);
  return next;
}

/** Sequence of a decoded message, whatever its kind. */
export function seqOf(decoded: Decoded): number {
  return decoded.kind === 'malformed' ? decoded.seq : decoded.meta.seq;
}

export function subjectOf(decoded: Decoded): string {
  return decoded.kind === 'malformed' ? decoded.subject : decoded.meta.subject;
}
