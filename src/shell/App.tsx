import { lazy, startTransition, Suspense, useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { SignInPage } from '../features/signin/SignInPage';
import { WarehousePage } from '../features/warehouse/WarehousePage';
import { ProcurementPage } from '../features/procurement/ProcurementPage';
import { QualityPage } from '../features/quality/QualityPage';
import { EventLogPage } from '../features/events/EventLogPage';
import { DisplayPage, takeScreenCredentialFromPage } from '../features/display/DisplayPage';
import { parseDisplayParams } from '../features/display/display-params';
import { AuditDrawer } from '../features/audit/AuditDrawer';
import { NoticeBar } from '../common/ui/NoticeBar';
import { ReplayBanner } from '../common/ui/ReplayBanner';
import { TimeTravelBar } from '../common/ui/TimeTravelBar';
import { SnapshotShown } from './SnapshotShown';
import { useEngine } from '../common/engine-context';
import { useApplied, useProgress, useSnapshot } from '../common/engine-queries';
import { Header } from './Header';
import { pagesFor, type Page } from '../core/roles';
import { loadRuntimeConfig, type RuntimeConfig } from '../common/runtime-config';
import type { Session } from '../common/session';

// Charts are the heaviest dependency; they load when the marketing page is first opened.
const MarketingPage = lazy(() => import('../features/marketing/MarketingPage'));

// Before config.json loads and before anything renders, so a wall screen's password leaves the address bar
// at once; once per page load, so React's double rendering in development cannot take it twice.
const displayScreen = isDisplayRoute() ? takeScreenCredentialFromPage() : null;

export function App() {
  const engine = useEngine();
  const queryClient = useQueryClient();
  const [config, setConfig] = useState<RuntimeConfig | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [page, setPage] = useState<Page>('warehouse');

  useEffect(() => {
    void loadRuntimeConfig().then(setConfig);
  }, []);

  if (config === null) return null;
  if (displayScreen)
    return (
      <>
        <ReplayMarks />
        <SnapshotShown />
        <DisplayPage
          params={parseDisplayParams(location.search)}
          defaultServer={config.natsUrl}
          headerPrefix={config.headerPrefix}
          screen={displayScreen}
        />
      </>
    );
  if (!session) {
    return (
      <SignInPage
        defaultServer={config.natsUrl}
        headerPrefix={config.headerPrefix}
        onSignedIn={(next) =>
          // Mounting the whole dashboard is the biggest render there is: as a transition React slices it, so
          // the page stays responsive while the replay starts (npm run bench: longest main-thread task, cold
          // replay).
          startTransition(() => {
            setSession(next);
            setPage(pagesFor(next.grants.role)[0] ?? 'warehouse');
          })
        }
      />
    );
  }

  const pages = pagesFor(session.grants.role);
  const signOut = () => {
    engine.disconnect();
    queryClient.clear();
    setSession(null);
  };

  return (
    <>
      <ReplayMarks />
      <SnapshotShown />
      <Header session={session} pages={pages} page={page} onPage={setPage} onSignOut={signOut} />
      <ReplayBanner />
      <NoticeBar />
      {(page === 'warehouse' || page === 'marketing' || page === 'procurement') && <TimeTravelBar />}
      <main>
        {page === 'warehouse' && <WarehousePage grants={session.grants} TrailPanel={AuditDrawer} />}
        {page === 'marketing' && (
          <Suspense fallback={<div className="empty-state">Loading charts…</div>}>
            <MarketingPage />
          </Suspense>
        )}
        {page === 'procurement' && <ProcurementPage grants={session.grants} TrailPanel={AuditDrawer} />}
        {page === 'quality' && <QualityPage />}
        {page === 'events' && <EventLogPage grants={session.grants} />}
      </main>
    </>
  );
}

/**
 * The replay position as attributes of #root (`data-applied-seq`, `data-caught-up`), for `npm run bench` and
 * other tools that watch the page. A leaf of its own, so the per-batch progress updates re-render nothing else.
 * The applied sequence goes past the snapshot on screen when the engine says the events since changed nothing
 * it shows (docs/architecture.md#nothing-new-to-show).
 */
function ReplayMarks() {
  const snapshot = useSnapshot();
  const applied = useApplied();
  const shownSeq = snapshot?.views.lastSeq ?? 0;
  const appliedSeq = snapshot && applied?.since === shownSeq ? Math.max(shownSeq, applied.seq) : shownSeq;
  const caughtUp = useProgress()?.caughtUp ?? false;
  const start = snapshot?.start;
  useEffect(() => {
    const root = document.getElementById('root');
    root?.setAttribute('data-applied-seq', String(appliedSeq));
    root?.setAttribute('data-caught-up', String(caughtUp));
    // Where the fold started and how many events this page replayed after it (docs/architecture.md#checkpoints).
    root?.setAttribute('data-start-from', start?.from ?? '');
    root?.setAttribute('data-start-seq', String(start?.seq ?? 0));
    root?.setAttribute('data-replayed', String(start?.folded ?? 0));
    // What the fold reads: one warehouse's subjects, or the chain's (docs/architecture.md#one-warehouse-or-the-chain).
    root?.setAttribute('data-fold-scope', start === undefined ? '' : (start.scope ?? 'chain'));
  }, [appliedSeq, caughtUp, start?.from, start?.seq, start?.folded, start?.scope]);
  return null;
}

/** Wall screens open `/display` (see display-params.ts); everything else is the interactive dashboard. */
function isDisplayRoute(): boolean {
  return location.pathname.replace(/\/+$/, '').endsWith('/display');
}
