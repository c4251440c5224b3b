import { useCallback } from 'react';
import { Outlet, useLocation, useNavigate, useSearch } from '@tanstack/react-router';
import { NoticeBar } from '../common/ui/NoticeBar';
import { ReplayBanner } from '../common/ui/ReplayBanner';
import { TimeTravelBar } from '../common/ui/TimeTravelBar';
import { asOfMs, formatAsOf } from '../common/address/as-of';
import { pagesFor } from '../core/roles';
import { AsOfSync } from './AsOfSync';
import { Header } from './Header';
import { pageAt } from './page-paths';
import { ReplayMarks } from './ReplayMarks';
import { useSignedIn } from './session-context';
import { SnapshotShown } from './SnapshotShown';

/** What every page shows around itself once someone is signed in; the page is the router's outlet. */
export function SignedInLayout() {
  const { session, signOut } = useSignedIn();
  const page = pageAt(useLocation({ select: (location) => location.pathname }));
  const asOf = asOfMs(useSearch({ from: '__root__' }));
  const navigate = useNavigate();
  // A moment chosen on the bar is a new address (Back returns to the one before); one the engine moved to on
  // its own corrects the address in place.
  const moment = useCallback(
    (atMs: number | null, replace: boolean) =>
      void navigate({
        to: '.',
        search: (prev) => ({ ...prev, asOf: atMs === null ? undefined : formatAsOf(atMs) }),
        replace,
      }),
    [navigate],
  );
  const chooseMoment = useCallback((atMs: number | null) => moment(atMs, false), [moment]);
  const correctMoment = useCallback((atMs: number | null) => moment(atMs, true), [moment]);

  return (
    <>
      <ReplayMarks />
      <SnapshotShown />
      <AsOfSync asOf={asOf} onMoment={correctMoment} />
      <Header session={session} pages={pagesFor(session.grants.role)} page={page} onSignOut={signOut} />
      <ReplayBanner />
      <NoticeBar />
      {(page === 'warehouse' || page === 'marketing' || page === 'procurement') && (
        <TimeTravelBar asOf={asOf} onAsOf={chooseMoment} />
      )}
      <main>
        <Outlet />
      </main>
    </>
  );
}
