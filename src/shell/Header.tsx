import { Link } from '@tanstack/react-router';
import { formatAgo, formatDuration, formatTime } from '../common/ui/format';
import { useNow } from '../common/ui/useNow';
import { useConnection, useSnapshot } from '../common/engine-queries';
import { PAGE_TITLES, type Page } from '../core/roles';
import type { Session } from '../common/session';
import { describeScope, hasAny, type Grants } from '../core/grants';
import { PAGE_PATHS } from './page-paths';

interface Props {
  session: Session;
  pages: Page[];
  /** The page shown, null while the address is on its way to one. */
  page: Page | null;
  onSignOut: () => void;
}

const STATE_TEXT = {
  connecting: 'Connecting',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
  closed: 'Disconnected',
} as const;

export function Header({ session, pages, page, onSignOut }: Props) {
  const now = useNow();
  const connection = useConnection();
  const lastEventMs = useSnapshot()?.lastEventMs ?? null;
  const state = connection?.state ?? 'connecting';
  const since = connection && state !== 'connected' ? ` since ${formatTime(connection.sinceMs)}` : '';
  return (
    <header className="app-header">
      <div className="brand">
        <img src="/favicon.svg" alt="" /> Stockwire
      </div>
      <nav aria-label="Pages">
        {/* Links, so that a page opens in a new tab too; the moment shown goes along (docs/architecture.md#addresses). */}
        {pages.map((p) => (
          <Link
            key={p}
            to={PAGE_PATHS[p]}
            search={(prev) => ({ asOf: prev.asOf })}
            aria-current={p === page ? 'page' : undefined}
          >
            {PAGE_TITLES[p]}
          </Link>
        ))}
      </nav>
      <div className="header-status">
        <span
          className="conn"
          data-state={state}
          data-testid="connection-state"
          title={
            connection?.refused
              ? `The server no longer accepts this sign-in (revoked, or the password changed): ${connection.detail ?? ''}`
              : (connection?.detail ?? '')
          }
        >
          {connection?.refused ? 'Signed out by the server' : STATE_TEXT[state]}
          {since}
          {state !== 'connected' && connection ? ` (${formatDuration(now - connection.sinceMs)})` : ''}
        </span>
        <span data-testid="last-event">
          Last event: {lastEventMs === null ? 'none yet' : formatAgo(lastEventMs, now)}
        </span>
        <span
          className="role-badge"
          data-testid="role"
          title={`What the server grants ${session.user}: ${grantsText(session.grants)}`}
        >
          {session.user} · {session.grants.role}
        </span>
        <button onClick={onSignOut}>Sign out</button>
      </div>
    </header>
  );
}

function grantsText(grants: Grants): string {
  const parts = [
    hasAny(grants.stockEvents) ? `records stock events in ${describeScope(grants.stockEvents)}` : '',
    hasAny(grants.thresholds) ? `sets thresholds in ${describeScope(grants.thresholds)}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : 'read only';
}
