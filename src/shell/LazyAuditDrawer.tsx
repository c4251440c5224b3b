import { lazy, Suspense } from 'react';
import type { TrailPanelProps } from '../common/trail-panel';

const AuditDrawer = lazy(() =>
  import('../features/audit/AuditDrawer').then((m) => ({ default: m.AuditDrawer })),
);

/**
 * The audit trail loads when a trail is first opened, not with the page: nobody needs it for the first figures
 * (npm run bench: initial JS).
 */
export function LazyAuditDrawer(props: TrailPanelProps) {
  return (
    <Suspense fallback={null}>
      <AuditDrawer {...props} />
    </Suspense>
  );
}
