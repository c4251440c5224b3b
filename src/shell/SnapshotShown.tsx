import { useEffect } from 'react';
import { useEngine } from '../common/engine-context';
import { useSnapshot } from '../common/engine-queries';

/**
 * Tells the engine each time a snapshot has been rendered, so that it sends the next one only then
 * (docs/architecture.md#one-snapshot-in-flight). It reads the same deferred snapshot as every page, so its
 * effect runs when the render that shows the snapshot commits, not when the snapshot arrives.
 */
export function SnapshotShown() {
  const engine = useEngine();
  const snapshot = useSnapshot();
  useEffect(() => {
    if (snapshot) engine.snapshotShown();
  }, [engine, snapshot]);
  return null;
}
