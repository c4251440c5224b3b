import { useEffect, useRef } from 'react';
import { useEngine } from '../common/engine-context';
import { useProgress, useSnapshot } from '../common/engine-queries';

/**
 * The address decides the moment every view shows (docs/architecture.md#addresses): a new `asOf` — a jump,
 * Back, Forward, a link — is handed to the engine. The engine may leave the past on its own (a switch to
 * another fold starts live) or move on from it (play, then pause); the address is then corrected in place,
 * without a new history entry. A moment is asked for only once the fold has caught up with the stream: the past
 * is read up to where the fold has got, so a link opened at sign-in would otherwise show an empty past.
 */
export function AsOfSync({
  asOf,
  onMoment,
}: {
  asOf: number | null;
  onMoment: (atMs: number | null) => void;
}) {
  const engine = useEngine();
  const snapshot = useSnapshot();
  const past = snapshot?.past ?? null;
  const seeking = snapshot?.seeking != null;
  const caughtUp = useProgress()?.caughtUp ?? false;
  // What the engine was last asked for (a fresh sign-in is live), and whether its answer has been seen: until
  // then the past on screen is the one before the request, not a moment the engine moved to.
  const asked = useRef<number | null>(null);
  const answered = useRef(true);
  const sawSeeking = useRef(false);

  useEffect(() => {
    if (!caughtUp || asOf === asked.current) return;
    asked.current = asOf;
    answered.current = false;
    sawSeeking.current = false;
    engine.timeTravel(asOf);
  }, [asOf, engine, caughtUp]);

  useEffect(() => {
    if (seeking) {
      sawSeeking.current = true;
      return;
    }
    if (!answered.current) {
      const wanted = asked.current;
      const arrived =
        wanted === null ? past === null : past !== null && (past.atMs === wanted || sawSeeking.current);
      if (!arrived) return;
      answered.current = true;
    }
    if (past === null) {
      // Played up to now, or a switch to another fold: live again.
      if (asked.current !== null) {
        asked.current = null;
        onMoment(null);
      }
      return;
    }
    // Paused somewhere else than asked (played forward, then paused): a reload shows that moment.
    if (past.speed === 0 && past.atMs !== asked.current) {
      asked.current = past.atMs;
      onMoment(past.atMs);
    }
  }, [past, seeking, onMoment]);

  return null;
}
