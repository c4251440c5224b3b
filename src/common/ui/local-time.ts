/**
 * ms since epoch as a `datetime-local` value in the browser's time zone. Seconds appear only when they are not
 * zero, which is how the browser itself writes the value back: a value it would rewrite is refused by it.
 */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const minutes = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.getSeconds() === 0 ? minutes : `${minutes}:${pad(d.getSeconds())}`;
}
