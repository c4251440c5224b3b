/**
 * Numbers and times in the language the browser is set to (`undefined` locale), so a warehouse in Hamburg reads
 * "12.049" and "7. Dez., 19:54" and one in Ohio "12,049" and "Dec 7, 7:54 PM".
 */
const numberFormat = new Intl.NumberFormat(undefined);
const timeFormat = new Intl.DateTimeFormat(undefined, {
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export function formatCount(value: number): string {
  return numberFormat.format(value);
}

export function formatTime(ms: number): string {
  return timeFormat.format(ms);
}

const clockFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** The time of day, hours and minutes, as a wall clock in the browser's language shows it. */
export function formatClock(ms: number): string {
  return clockFormat.format(ms);
}

/** "12 s", "4 min", "3 h 5 min": durations a person reads at a glance. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function formatAgo(ms: number, nowMs: number): string {
  return `${formatDuration(nowMs - ms)} ago`;
}
