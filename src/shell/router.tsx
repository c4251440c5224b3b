/**
 * Every page and view has an address (docs/architecture.md#addresses): one route per page, code-based, with
 * the search values each page reads. The wall display (`/display`) is not among them: it has its own address
 * contract and credential, and App shows it before the router exists.
 */
import { lazy, Suspense, useCallback } from 'react';
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  Navigate,
  useNavigate,
} from '@tanstack/react-router';
import { WarehousePage } from '../features/warehouse/WarehousePage';
import { parseWarehouseSearch, type WarehouseSearch } from '../features/warehouse/warehouse-search';
import { parseProcurementSearch, type ProcurementSearch } from '../features/procurement/procurement-search';
import { parseEventLogSearch, type EventLogSearch } from '../features/events/event-log-search';
import { LazyAuditDrawer as AuditDrawer } from './LazyAuditDrawer';
import { parseAsOf, type AsOfSearch } from '../common/address/as-of';
import { parseQueryString, stringifyQueryString } from '../common/address/query-string';
import type { RuntimeConfig } from '../common/runtime-config';
import { Permitted } from './Permitted';
import { SessionGate } from './SessionGate';
import { useSignedIn } from './session-context';

// Charts are the heaviest dependency; they load when the marketing page is first opened. The other pages load
// when first opened too, so that what a first visit loads stays within its budget (npm run bench: initial JS).
const MarketingPage = lazy(() => import('../features/marketing/MarketingPage'));
const ProcurementPage = lazy(() =>
  import('../features/procurement/ProcurementPage').then((m) => ({ default: m.ProcurementPage })),
);
const QualityPage = lazy(() =>
  import('../features/quality/QualityPage').then((m) => ({ default: m.QualityPage })),
);
const EventLogPage = lazy(() =>
  import('../features/events/EventLogPage').then((m) => ({ default: m.EventLogPage })),
);

const rootRoute = createRootRouteWithContext<{ config: RuntimeConfig }>()({
  // The moment shown belongs to every page: the engine shows one moment at a time, whichever page is open.
  validateSearch: (raw: Record<string, unknown>): AsOfSearch => parseAsOf(raw, Date.now()),
  component: SessionGate,
  // An address of no page: the person's first page.
  notFoundComponent: () => <Permitted page={null} />,
});

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  component: () => <Permitted page={null} />,
});

const warehouseRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/warehouse',
  validateSearch: (raw: Record<string, unknown>): WarehouseSearch => parseWarehouseSearch(raw),
  component: function WarehouseRoute() {
    const { session } = useSignedIn();
    const address = warehouseRoute.useSearch();
    const navigate = useNavigate({ from: '/warehouse' });
    const onAddress = useCallback(
      (next: WarehouseSearch) => void navigate({ search: (prev) => ({ asOf: prev.asOf, ...next }) }),
      [navigate],
    );
    return (
      <Permitted page="warehouse">
        <WarehousePage
          grants={session.grants}
          TrailPanel={AuditDrawer}
          address={address}
          onAddress={onAddress}
        />
      </Permitted>
    );
  },
});

const marketingRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/marketing',
  component: () => (
    <Permitted page="marketing">
      <Suspense fallback={<div className="empty-state">Loading charts…</div>}>
        <MarketingPage />
      </Suspense>
    </Permitted>
  ),
});

const procurementRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/procurement',
  validateSearch: (raw: Record<string, unknown>): ProcurementSearch => parseProcurementSearch(raw),
  component: function ProcurementRoute() {
    const { session } = useSignedIn();
    const address = procurementRoute.useSearch();
    const navigate = useNavigate({ from: '/procurement' });
    const onAddress = useCallback(
      (next: ProcurementSearch) => void navigate({ search: (prev) => ({ asOf: prev.asOf, ...next }) }),
      [navigate],
    );
    return (
      <Permitted page="procurement">
        <ProcurementPage
          grants={session.grants}
          TrailPanel={AuditDrawer}
          address={address}
          onAddress={onAddress}
        />
      </Permitted>
    );
  },
});

const qualityRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/quality',
  component: () => (
    <Permitted page="quality">
      <QualityPage />
    </Permitted>
  ),
});

const eventsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/events',
  validateSearch: (raw: Record<string, unknown>): EventLogSearch => parseEventLogSearch(raw),
  component: function EventsRoute() {
    const { session } = useSignedIn();
    const address = eventsRoute.useSearch();
    const navigate = useNavigate({ from: '/events' });
    const onAddress = useCallback(
      (next: EventLogSearch) => void navigate({ search: (prev) => ({ asOf: prev.asOf, ...next }) }),
      [navigate],
    );
    return (
      <Permitted page="events">
        <EventLogPage grants={session.grants} address={address} onAddress={onAddress} />
      </Permitted>
    );
  },
});

const routeTree = rootRoute.addChildren([
  indexRoute,
  warehouseRoute,
  marketingRoute,
  procurementRoute,
  qualityRoute,
  eventsRoute,
]);

export function createAppRouter(config: RuntimeConfig) {
  return createRouter({
    routeTree,
    context: { config },
    basepath: import.meta.env.BASE_URL,
    parseSearch: parseQueryString,
    stringifySearch: stringifyQueryString,
    // An address is rewritten to the values its page validated, so a bad one is dropped from the bar too.
    search: { strict: true },
    defaultNotFoundComponent: () => <Navigate to="/" replace />,
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
