/**
 * The server URL comes from `/config.json` at run time, so one build can be pointed at any NATS deployment
 * by editing a file next to `index.html`. `natsUrl` is one WebSocket URL, a comma-separated list, or an
 * array of URLs (the nodes of a cluster); the sign-in form shows it as one comma-separated line.
 */
import { formatServerList } from '../core/server-list';

export interface RuntimeConfig {
  natsUrl: string;
}

function fallback(): RuntimeConfig {
  return { natsUrl: `ws://${location.hostname || '127.0.0.1'}:9222` };
}

export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  try {
    const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
    if (!response.ok) return fallback();
    const natsUrl = natsUrlText((await response.json()) as { natsUrl?: unknown });
    return natsUrl === undefined ? fallback() : { natsUrl };
  } catch {
    return fallback();
  }
}

/** The configured servers as the sign-in field's text; undefined when the file names none. */
export function natsUrlText(body: { natsUrl?: unknown } | null): string | undefined {
  const value = body?.natsUrl;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) {
    return formatServerList(value.map((v: string) => v.trim()).filter((v) => v !== '')) || undefined;
  }
  return undefined;
}
