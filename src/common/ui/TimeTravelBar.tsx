import { useState } from 'react';
import { useEngine } from '../engine-context';
import { useSnapshot } from '../engine-queries';
import { formatCount, formatTime } from './format';
import { toLocalInput } from './local-time';

const SPEEDS = [
  { speed: 60, label: '60×', hint: 'a minute per second' },
  { speed: 3600, label: '3600×', hint: 'an hour per second' },
  { speed: 86_400, label: '1 day/s', hint: 'a day per second' },
];

interface Props {
  /** The moment in the page's address, null for live (docs/architecture.md#addresses). */
  asOf: number | null;
  /** Goes to a moment, or back to live: a new address, which the shell hands to the engine. */
  onAsOf: (atMs: number | null) => void;
}

const aDayAgo = () => toLocalInput(Math.floor((Date.now() - 24 * 3600_000) / 60_000) * 60_000);

/** "As of": pick a moment and every view shows the warehouse as it was then; play it forward; back to live. */
export function TimeTravelBar({ asOf, onAsOf }: Props) {
  const engine = useEngine();
  const snapshot = useSnapshot();
  const past = snapshot?.past ?? null;
  const seeking = snapshot?.seeking ?? null;
  const [draft, setDraft] = useState(() => (asOf === null ? aDayAgo() : toLocalInput(asOf)));
  // Back and Forward bring another moment: the picker shows it.
  const [shownAsOf, setShownAsOf] = useState(asOf);
  if (asOf !== shownAsOf) {
    setShownAsOf(asOf);
    if (asOf !== null) setDraft(toLocalInput(asOf));
  }
  const [problem, setProblem] = useState<string | null>(null);

  const jump = () => {
    const atMs = new Date(draft).getTime();
    if (!Number.isFinite(atMs)) return setProblem('Pick a date and time');
    if (atMs >= Date.now()) return setProblem('That moment has not happened yet; use “Live”');
    setProblem(null);
    onAsOf(atMs);
  };

  return (
    <div className={`time-travel ${past ? 'is-past' : ''}`} role="region" aria-label="Time travel">
      {past ? (
        <strong data-testid="as-of">
          Viewing the past: as of {formatTime(past.atMs)}
          {past.warehouse !== null && ` · warehouse ${past.warehouse}`}
          {past.speed > 0 ? ` · playing at ${past.speed}×` : ' · paused'}
        </strong>
      ) : (
        <span className="muted">Live</span>
      )}
      {seeking && (
        <span role="status" data-testid="seeking">
          Reading the events up to {formatTime(seeking.atMs)}: {formatCount(seeking.read)} so far…
        </span>
      )}
      <label className="inline">
        As of
        <input
          type="datetime-local"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          aria-label="As of"
        />
      </label>
      <button onClick={jump}>Show that moment</button>
      {seeking && !past && <button onClick={() => onAsOf(null)}>Cancel</button>}
      {past && (
        <>
          {SPEEDS.map(({ speed, label, hint }) => (
            <button
              key={speed}
              title={hint}
              aria-pressed={past.speed === speed}
              onClick={() => engine.play(speed)}
            >
              ▶ {label}
            </button>
          ))}
          <button onClick={() => engine.play(0)} disabled={past.speed === 0}>
            Pause
          </button>
          <button className="primary" onClick={() => onAsOf(null)}>
            Back to live
          </button>
        </>
      )}
      {problem && (
        <span className="mismatch" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}
