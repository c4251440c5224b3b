import { useEffect } from 'react';
import type { ViewInterest } from '../core/view-interest';
import { useEngine } from './engine-context';

/**
 * Declares what this component shows of the views while it is on screen; the engine sends the pages only what
 * all of them show together (docs/architecture.md#what-a-page-is-sent). Null declares nothing.
 */
export function useViewInterest(interest: ViewInterest | null): void {
  const engine = useEngine();
  // By value: a literal written in render is a new object each time, and must not re-declare.
  const key = interest === null ? '' : JSON.stringify(interest);
  useEffect(() => {
    if (key === '') return undefined;
    return engine.showInterest(JSON.parse(key) as ViewInterest);
  }, [engine, key]);
}
