import { useEffect, useMemo, useRef, useState } from 'react';
import { DAY_MS, HOUR_MS, soldInWindow } from '../../core/sales';
import { stockKey, type HeaderPrefixSetting } from '../../core/events';
import { status, thresholdFor, type StockStatus } from '../../core/thresholds';
import { productTotals } from '../../core/warehouse-stock';
import { useEngine } from '../../common/engine-context';
import { useConnection, useSnapshot } from '../../common/engine-queries';
import { signIn, SignInError } from '../../common/session';
import { formatClock, formatCount, formatDuration, formatTime } from '../../common/ui/format';
import { compareValues } from '../../common/ui/table-model';
import { useNow } from '../../common/ui/useNow';
import type { EngineSnapshot } from '../../engine/protocol';
import type { DisplayParams, Panel } from './display-params';
import { useFittingPages } from './useFittingPages';
import type { TakenCredential } from './screen-credential';
import { takeScreenCredentialFromPage } from './take-screen-credential';
import { useViewInterest } from '../../common/use-view-interest';
import { NO_INTEREST } from '../../core/view-interest';

const RETRY_SIGN_IN_MS = 10_000;
/**
 * A refused credential stays refused until someone changes the server: asking every 10 s would only fill its
 * log. Rarely is still worth it, for a server that refused while its configuration was being reloaded.
 */
const RETRY_REFUSED_MS = 5 * 60_000;
/** Longer than this without any event while connected is worth saying on a wall. */
const QUIET_AFTER_MS = 15 * 60_000;
const ROWS = 8;
/** How long a page of a list that does not fit stays up before the next one. */
const PAGE_TURN_MS = 10_000;

const PANEL_TITLES: Record<Panel, string> = {
  sales: 'Selling now',
  'low-stock': 'Low stock',
  stock: 'Stock',
};

const NO_CREDENTIAL_MESSAGE =
  'This screen has no credential. Open the address the administrator gave you (it ends in ' +
  '#user=…&password=…) once on this device.';
const REFUSED_MESSAGE =
  "This screen's credential was refused by the server: it may have been revoked. Ask for a new address.";
const MISCONFIGURED_MESSAGE =
  "This screen cannot sign in: the app's config.json is wrong. Ask whoever deployed it to correct it.";

/** Why the screen cannot show figures at all, as opposed to showing ones that may be stale. */
type Blocker =
  { kind: 'no-credential' } | { kind: 'refused'; detail: string } | { kind: 'misconfigured'; detail: string };

const BLOCKER_MESSAGES: Record<Blocker['kind'], string> = {
  'no-credential': NO_CREDENTIAL_MESSAGE,
  refused: REFUSED_MESSAGE,
  misconfigured: MISCONFIGURED_MESSAGE,
};

/**
 * The wall display: no inputs, no menus, large type, dark. It signs itself in with the credential kept on the
 * device, keeps retrying, and never lets stale numbers pass for live ones.
 */
export function DisplayPage({
  params,
  defaultServer,
  headerPrefix,
  screen,
}: {
  params: DisplayParams;
  defaultServer: string;
  /** From config.json; when it is unusable the screen says so and does not sign in. */
  headerPrefix: HeaderPrefixSetting;
  screen: TakenCredential;
}) {
  const engine = useEngine();
  // The address opened again on a screen that already shows it changes only the fragment, and the browser
  // keeps the page: take the new credential as on a load, then load again to sign in with it.
  useEffect(() => {
    const onHashChange = () => {
      if (takeScreenCredentialFromPage().source === 'fragment') location.reload();
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);
  const [signInProblem, setSignInProblem] = useState<string | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const started = useRef(false);
  const signedIn = useRef(false);
  const signInAgain = useRef<(() => void) | null>(null);
  useEffect(() => {
    const credential = screen.credential;
    if (started.current || !credential || !headerPrefix.ok) return;
    started.current = true;
    const credentials = {
      servers: params.servers ?? credential.servers ?? defaultServer,
      user: credential.user,
      password: credential.password,
    };
    const attempt = () =>
      signIn(engine, credentials, headerPrefix.prefix).then(
        () => {
          signedIn.current = true;
          setSignInProblem(null);
          setRefused(null);
        },
        (error: Error) => {
          if (error instanceof SignInError && error.kind === 'auth') {
            setRefused(`${error.message} Asking again every ${RETRY_REFUSED_MS / 60_000} minutes.`);
            setSignInProblem(null);
            setTimeout(() => void attempt(), RETRY_REFUSED_MS);
            return;
          }
          setRefused(null);
          setSignInProblem(`${error.message} — retrying every ${RETRY_SIGN_IN_MS / 1000} s`);
          setTimeout(() => void attempt(), RETRY_SIGN_IN_MS);
        },
      );
    signInAgain.current = () => void attempt();
    void attempt();
  }, [engine, params, defaultServer, headerPrefix, screen]);
  // The client gives up only when the server keeps refusing the credential, as it does once a screen is
  // revoked while it shows figures. Signing in again gets the verdict to say so, rather than "offline" for ever.
  const connection = useConnection();
  useEffect(() => {
    if (connection?.state !== 'closed' || !signedIn.current) return;
    signedIn.current = false;
    signInAgain.current?.();
  }, [connection]);
  const blocker: Blocker | null = !headerPrefix.ok
    ? { kind: 'misconfigured', detail: headerPrefix.message }
    : !screen.credential
      ? { kind: 'no-credential' }
      : refused !== null
        ? { kind: 'refused', detail: refused }
        : null;

  const snapshot = useSnapshot();
  const now = useNow(1000);
  const warehouse = params.warehouse ?? snapshot?.warehouses[0] ?? null;
  const scope = warehouse === null ? [] : [warehouse];
  useViewInterest({ ...NO_INTEREST, stock: scope, sales: scope, kvLevels: scope });
  const [rotation, setRotation] = useState(0);
  useEffect(() => {
    if (params.rotateSeconds === 0) return;
    const timer = setInterval(() => setRotation((r) => r + 1), params.rotateSeconds * 1000);
    return () => clearInterval(timer);
  }, [params.rotateSeconds]);
  const shown =
    params.rotateSeconds === 0 ? params.panels : [params.panels[rotation % params.panels.length] ?? 'sales'];

  return (
    <div className="display" data-testid="display">
      <DisplayStatus
        now={now}
        warehouse={warehouse}
        problem={
          blocker?.kind === 'misconfigured'
            ? 'Misconfigured'
            : blocker?.kind === 'no-credential'
              ? 'No credential'
              : blocker?.kind === 'refused'
                ? 'Credential refused'
                : signInProblem
        }
        urlProblems={params.problems}
      />
      {screen.notices.length > 0 && (
        <div className="display-notices" data-testid="display-notices">
          {screen.notices.map((notice) => (
            <p key={notice}>{notice}</p>
          ))}
        </div>
      )}
      {blocker ? (
        <div className="display-message" role="alert" data-testid="display-message">
          <p>{BLOCKER_MESSAGES[blocker.kind]}</p>
          {blocker.kind !== 'no-credential' && <p className="display-muted">{blocker.detail}</p>}
        </div>
      ) : (
        <div
          className="display-panels"
          style={{ gridTemplateColumns: `repeat(${shown.length}, minmax(0, 1fr))` }}
        >
          {shown.map((panel) => (
            <section
              key={panel}
              className="display-panel"
              aria-label={PANEL_TITLES[panel]}
              data-panel={panel}
            >
              <h2>{PANEL_TITLES[panel]}</h2>
              {!snapshot || warehouse === null ? (
                <p className="display-muted">Waiting for data…</p>
              ) : (
                <PanelBody panel={panel} snapshot={snapshot} warehouse={warehouse} now={now} />
              )}
            </section>
          ))}
        </div>
      )}
    </div>
  );
}

function DisplayStatus({
  now,
  warehouse,
  problem,
  urlProblems,
}: {
  now: number;
  warehouse: string | null;
  problem: string | null;
  urlProblems: string[];
}) {
  const connection = useConnection();
  const snapshot = useSnapshot();
  const lastEventMs = snapshot?.lastEventMs ?? null;
  let state: 'live' | 'quiet' | 'offline' = 'live';
  let text = 'Live';
  if (problem) {
    state = 'offline';
    text = problem;
  } else if (!connection || connection.state !== 'connected') {
    state = 'offline';
    text = connection
      ? `Offline since ${formatTime(connection.sinceMs)} (${formatDuration(now - connection.sinceMs)}) — figures are as of then`
      : 'Connecting…';
  } else if (lastEventMs !== null && now - lastEventMs > QUIET_AFTER_MS) {
    state = 'quiet';
    text = `Connected, but no events for ${formatDuration(now - lastEventMs)}`;
  }
  return (
    <header className="display-status" data-state={state} data-testid="display-status">
      <span className="display-title">Warehouse {warehouse ?? '…'}</span>
      <span className="display-state">{text}</span>
      {urlProblems.length > 0 && <span className="display-warning">URL: {urlProblems.join('; ')}</span>}
      <span className="display-clock">{formatClock(now)}</span>
    </header>
  );
}

function PanelBody({
  panel,
  snapshot,
  warehouse,
  now,
}: {
  panel: Panel;
  snapshot: EngineSnapshot;
  warehouse: string;
  now: number;
}) {
  switch (panel) {
    case 'sales':
      return <SalesPanel snapshot={snapshot} warehouse={warehouse} now={now} />;
    case 'low-stock':
      return <LowStockPanel snapshot={snapshot} warehouse={warehouse} />;
    case 'stock':
      return <StockPanel snapshot={snapshot} warehouse={warehouse} />;
  }
}

function SalesPanel({
  snapshot,
  warehouse,
  now,
}: {
  snapshot: EngineSnapshot;
  warehouse: string;
  now: number;
}) {
  // Sales are counted per minute; recomputing once a minute (rounded up, so the current minute counts) is enough.
  const minute = Math.ceil(now / 60_000);
  const rows = useMemo(() => {
    const at = minute * 60_000;
    const hour = soldInWindow(snapshot.views.sales, at, HOUR_MS, { warehouse });
    const day = soldInWindow(snapshot.views.sales, at, DAY_MS, { warehouse });
    return [...day.entries()]
      .map(([product, sold]) => ({ product, day: sold, hour: hour.get(product) ?? 0 }))
      .sort((a, b) => b.hour - a.hour || b.day - a.day || compareValues(a.product, b.product))
      .slice(0, ROWS);
  }, [snapshot.views.sales, warehouse, minute]);
  if (rows.length === 0) return <p className="display-muted">No sales in the last 24 hours.</p>;
  return (
    <table className="display-table">
      <thead>
        <tr>
          <th>Product</th>
          <th className="num">last hour</th>
          <th className="num">24 h</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.product} data-row={row.product}>
            <td>{row.product}</td>
            <td className="num strong">{formatCount(row.hour)}</td>
            <td className="num">{formatCount(row.day)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function LowStockPanel({ snapshot, warehouse }: { snapshot: EngineSnapshot; warehouse: string }) {
  const rows = useMemo(() => {
    const thresholds = new Map(Object.entries(snapshot.thresholds));
    const list: { product: string; quantity: number; threshold: number; status: StockStatus }[] = [];
    for (const level of Object.values(snapshot.kvLevels)) {
      if (!level.value.ok || level.value.warehouse !== warehouse) continue;
      const threshold = thresholdFor(thresholds, level.key);
      const s = status(level.value.quantity, threshold);
      if (s !== 'ok')
        list.push({
          product: level.value.product_name,
          quantity: level.value.quantity,
          threshold,
          status: s,
        });
    }
    return list.sort((a, b) => a.quantity - b.quantity || compareValues(a.product, b.product));
  }, [snapshot.kvLevels, snapshot.thresholds, warehouse]);
  if (!snapshot.kvReady) return <p className="display-muted">Loading stock levels…</p>;
  const known = Object.values(snapshot.kvLevels).some((l) => l.value.ok && l.value.warehouse === warehouse);
  if (!known)
    return <p className="display-muted">No stock levels for this warehouse yet: is the projector running?</p>;
  if (rows.length === 0) return <p className="display-ok">Everything is above its threshold.</p>;
  return (
    <table className="display-table">
      <tbody>
        {rows.slice(0, ROWS).map((row) => (
          <tr key={row.product} className={`display-${row.status}`} data-row={row.product}>
            <td>{row.product}</td>
            <td className="num strong">{formatCount(row.quantity)}</td>
            <td className="num display-muted">/ {formatCount(row.threshold)}</td>
          </tr>
        ))}
        {rows.length > ROWS && (
          <tr>
            <td colSpan={3} className="display-muted">
              and {rows.length - ROWS} more
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

function StockPanel({ snapshot, warehouse }: { snapshot: EngineSnapshot; warehouse: string }) {
  const tiles = useMemo(() => {
    const thresholds = new Map(Object.entries(snapshot.thresholds));
    return (
      [...productTotals(snapshot.views.stock, { warehouse })]
        .map(([product, total]) => ({
          product,
          total,
          status: status(total, thresholdFor(thresholds, stockKey(warehouse, product))),
        }))
        // Code-point order, as in every table (src/common/ui/table-model.ts): a collator sorting 2,000 names on each
        // change of the stock was a slow screen's longest task.
        .sort((a, b) => compareValues(a.product, b.product))
    );
  }, [snapshot.views.stock, snapshot.thresholds, warehouse]);
  const box = useRef<HTMLDivElement>(null);
  const { shown, page, pages, compact } = useFittingPages(tiles, box, PAGE_TURN_MS);
  return (
    <>
      <div className={`display-tiles${compact ? ' display-compact' : ''}`} ref={box}>
        {shown.map((tile) => (
          <div key={tile.product} className={`display-tile display-${tile.status}`} data-row={tile.product}>
            <span>{tile.product}</span>
            <strong>{formatCount(tile.total)}</strong>
          </div>
        ))}
      </div>
      {/* Always there, so the tiles' box keeps its height whether or not the list needs pages. */}
      <p className="display-page display-muted" data-testid="display-stock-page" aria-hidden={pages <= 1}>
        {pages > 1 ? `page ${page + 1} of ${pages} · ${formatCount(tiles.length)} products` : '\u00a0'}
      </p>
    </>
  );
}
