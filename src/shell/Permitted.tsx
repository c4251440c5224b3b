import type { ReactNode } from 'react';
import { Navigate } from '@tanstack/react-router';
import { pagesFor, type Page } from '../core/roles';
import { useSignedIn } from './session-context';
import { PAGE_PATHS } from './page-paths';

/**
 * A page the person's role does not offer (a link from someone else, an address typed) sends them to their
 * first page instead. The server decides what they may read or write; this only keeps the pages as offered.
 */
export function Permitted({ page, children }: { page: Page | null; children?: ReactNode }) {
  const pages = pagesFor(useSignedIn().session.grants.role);
  if (page !== null && pages.includes(page)) return <>{children}</>;
  const first = pages[0] ?? 'warehouse';
  return <Navigate to={PAGE_PATHS[first]} search={(prev) => ({ asOf: prev.asOf })} replace />;
}
