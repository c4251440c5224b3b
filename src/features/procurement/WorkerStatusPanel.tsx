import { useSnapshot } from '../../common/engine-queries';
import { formatAgo, formatCount } from '../../common/ui/format';
import { useNow } from '../../common/ui/useNow';
import {
  NOTIFIER_STATUS_KEY,
  PROJECTOR_STATUS_KEY,
  WORKER_STATUS_STALE_MS,
  type NotifierStatus,
  isWorkerStatus,
  type ProjectorStatus,
} from '../../core/worker-status';

function Freshness({ updatedMs, now }: { updatedMs: number; now: number }) {
  const stale = now - updatedMs > WORKER_STATUS_STALE_MS;
  return (
    <span className={stale ? 'mismatch' : 'muted'}>
      {stale
        ? `no report since ${formatAgo(updatedMs, now)} — is it running?`
        : `reported ${formatAgo(updatedMs, now)}`}
    </span>
  );
}

/** How the projector and notifier are doing, as they report it into the `worker_status` bucket. */
export function WorkerStatusPanel() {
  const workers = useSnapshot()?.workers ?? {};
  const now = useNow(1000);
  const projector = workers[PROJECTOR_STATUS_KEY];
  const notifier = workers[NOTIFIER_STATUS_KEY];
  return (
    <section className="panel" aria-label="Services">
      <header>
        <h3>Services</h3>
        <span className="hint">the Node workers that keep the bucket and send alerts</span>
      </header>
      <dl className="services" data-testid="projector-status">
        <dt>Projector</dt>
        {isWorkerStatus<ProjectorStatus>(projector, 'projector') ? (
          <dd>
            <span className="status-pill status-ok">{projector.phase}</span> applied through event #
            {formatCount(projector.lastAppliedSeq)} · lag {formatCount(projector.lagEvents)} events ·{' '}
            {formatCount(Math.round(projector.eventsPerSecond))} events/s · {projector.errors} errors retried
            · {projector.malformed} malformed, {projector.duplicates} duplicates skipped ·{' '}
            <Freshness updatedMs={projector.updatedMs} now={now} />
          </dd>
        ) : (
          <dd className="mismatch">no status yet — is the projector running?</dd>
        )}
      </dl>
      <dl className="services" data-testid="notifier-status">
        <dt>Notifier</dt>
        {isWorkerStatus<NotifierStatus>(notifier, 'notifier') ? (
          <dd>
            <span className="status-pill status-ok">{notifier.phase}</span> {formatCount(notifier.alerts)}{' '}
            alerts sent since start · {notifier.below} of {notifier.keys} keys below threshold ·{' '}
            {notifier.errors} errors retried · <Freshness updatedMs={notifier.updatedMs} now={now} />
          </dd>
        ) : (
          <dd className="mismatch">no status yet — is the notifier running?</dd>
        )}
      </dl>
    </section>
  );
}
