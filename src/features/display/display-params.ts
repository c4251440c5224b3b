/**
 * What a wall display shows is configured by its URL's query, e.g.
 * `/display?panels=sales,low-stock,stock&warehouse=46&rotate=30`. Its credential is not: that comes once in
 * the fragment and is kept on the device (screen-credential.ts).
 */
export type Panel = 'sales' | 'low-stock' | 'stock';
const PANELS: readonly Panel[] = ['sales', 'low-stock', 'stock'];

export interface DisplayParams {
  servers: string | null;
  panels: Panel[];
  warehouse: string | null;
  /** Seconds per panel; 0 shows all panels side by side. */
  rotateSeconds: number;
  /** Problems with the URL, shown on screen so whoever set it up can fix it. */
  problems: string[];
}

/** The shortest rotation a wall screen honours: each panel must stay up long enough to be read. */
export const MIN_ROTATE_SECONDS = 5;

export function parseDisplayParams(search: string): DisplayParams {
  const query = new URLSearchParams(search);
  const problems: string[] = [];
  const requested = (query.get('panels') ?? PANELS.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const panels = requested.filter((p): p is Panel => (PANELS as readonly string[]).includes(p));
  const unknown = requested.filter((p) => !(PANELS as readonly string[]).includes(p));
  if (unknown.length > 0)
    problems.push(`unknown panel(s) ${unknown.join(', ')}; choose from ${PANELS.join(', ')}`);
  const rotateText = query.get('rotate') ?? '0';
  const asked = Number(rotateText);
  let rotate = Number.isFinite(asked) && asked >= 0 ? asked : 0;
  if (!Number.isFinite(asked) || asked < 0) problems.push(`rotate=${rotateText} is not a number of seconds`);
  else if (asked > 0 && asked < MIN_ROTATE_SECONDS) {
    // Faster than a person across the room can read a panel: say so, and rotate as fast as is readable.
    problems.push(`rotate=${rotateText} is too fast to read; rotating every ${MIN_ROTATE_SECONDS} s`);
    rotate = MIN_ROTATE_SECONDS;
  }
  return {
    servers: query.get('server'),
    panels: panels.length > 0 ? panels : [...PANELS],
    warehouse: query.get('warehouse'),
    rotateSeconds: rotate,
    problems,
  };
}
