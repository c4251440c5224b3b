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
  const rotate = Number(rotateText);
  if (!Number.isFinite(rotate) || rotate < 0)
    problems.push(`rotate=${rotateText} is not a number of seconds`);
  return {
    servers: query.get('server'),
    panels: panels.length > 0 ? panels : [...PANELS],
    warehouse: query.get('warehouse'),
    rotateSeconds: Number.isFinite(rotate) && rotate >= 5 ? rotate : 0,
    problems,
  };
}
