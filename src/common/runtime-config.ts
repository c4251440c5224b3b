/**
 * The app's settings come from `/config.json` at run time, so one build can be pointed at any NATS deployment
 * by editing a file next to `index.html`. `natsUrl` is one WebSocket URL, a comma-separated list, or an
 * array of URLs (the nodes of a cluster); the sign-in form shows it as one comma-separated line.
 * `headerPrefix` is the prefix of the event headers, which every publisher and reader of the deployment shares
 * with the Node programs' STOCKWIRE_HEADER_PREFIX (docs/architecture.md#subjects-and-headers).
 */
import { parseHeaderPrefix, type HeaderPrefixSetting } from '../core/events';
import { formatServerList } from '../core/server-list';

export interface RuntimeConfig {
  natsUrl: string;
  /** Checked here; a bad one is shown on the sign-in page, which then does not sign in. */
  headerPrefix: HeaderPrefixSetting;
}

export interface ConfigBody {
  natsUrl?: unknown;
  headerPrefix?: unknown;
}

function fallbackUrl(): string {
  return `ws://${location.hostname || '127.0.0.1'}:9222`;
}

export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  let body: ConfigBody | null = null;
  try {
    const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
    if (response.ok) body = (await response.json()) as ConfigBody;
  } catch {
    // No file, or not JSON: the defaults apply, as before the file existed.
  }
  return { natsUrl: natsUrlText(body) ?? fallbackUrl(), headerPrefix: headerPrefixOf(body) };
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

/** The file's `headerPrefix`: the default when it has none. */
export function headerPrefixOf(body: ConfigBody | null): HeaderPrefixSetting {
  return parseHeaderPrefix(body?.headerPrefix, 'config.json "headerPrefix"');
}
