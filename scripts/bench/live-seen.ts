/**
 * When a page saw live events: its probe (page-probe.ts) logs every change of the applied sequence with its
 * time; an event is seen at the first change that reaches its sequence. Same machine, same clock.
 */

export interface Seen {
  /** Send → seen, ms, one per event the page saw. */
  latencies: number[];
  unseen: number;
}

/** How long after its send each event showed in a page whose probe logged `seqLog`. */
export function seenBy(seqLog: readonly [number, number][], sentAt: ReadonlyMap<number, number>): Seen {
  const latencies: number[] = [];
  let unseen = 0;
  for (const [seq, sendMs] of sentAt) {
    const seenMs = firstTimeAtOrAbove(seqLog, seq);
    if (seenMs === undefined) unseen++;
    else latencies.push(seenMs - sendMs);
  }
  return { latencies, unseen };
}

/** The log's sequences never decrease, so the first entry reaching `seq` is found by bisection. */
function firstTimeAtOrAbove(log: readonly [number, number][], seq: number): number | undefined {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]![0] >= seq) hi = mid;
    else lo = mid + 1;
  }
  return log[lo]?.[1];
}

export function lastSeqOf(sentAt: ReadonlyMap<number, number>): number {
  let last = 0;
  for (const seq of sentAt.keys()) if (seq > last) last = seq;
  return last;
}
