import { useConnection, useProgress } from '../engine-queries';
import { formatCount, formatDuration, formatTime } from './format';

/** Says when the figures are not live: while the history replays, and while the server is unreachable. */
export function ReplayBanner() {
  const progress = useProgress();
  const connection = useConnection();
  if (connection && (connection.state === 'offline' || connection.state === 'reconnecting')) {
    return (
      <div className="banner offline" role="status" data-testid="offline-banner">
        Offline since {formatTime(connection.sinceMs)} — figures below are as of then and will catch up on
        reconnect.
      </div>
    );
  }
  if (!progress || progress.caughtUp) return null;
  const fraction = progress.total > 0 ? Math.min(1, progress.replayed / progress.total) : 0;
  return (
    <div className="banner replaying" role="status" data-testid="replay-progress">
      <div className="progress">
        <div className="text">
          Replaying history: {formatCount(progress.replayed)} of {formatCount(progress.total)} events ·{' '}
          {formatCount(Math.round(progress.eventsPerSecond))} events/s
          {progress.etaMs !== null ? ` · ${formatDuration(progress.etaMs)} left` : ''}
        </div>
        <div
          className="bar"
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={progress.total}
          aria-valuenow={progress.replayed}
        >
          <div style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
        </div>
      </div>
    </div>
  );
}
