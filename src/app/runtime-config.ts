/**
 * The server URL comes from `/config.json` at run time, so one build can be pointed at any NATS deployment
 * by editing a file next to `index.html`.
 */
export interface RuntimeConfig {
  natsUrl: string;
}

const FALLBACK: RuntimeConfig = { natsUrl: `ws://${location.hostname || '127.0.0.1'}:9222` };

export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  try {
    const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
    if (!response.ok) return FALLBACK;
    const body = (await response.json()) as Partial<RuntimeConfig>;
    return typeof body.natsUrl === 'string' && body.natsUrl !== '' ? { natsUrl: body.natsUrl } : FALLBACK;
  } catch {
    return FALLBACK;
  }
}
