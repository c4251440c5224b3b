/**
 * JS heaps of a page and of every worker it runs, over the DevTools protocol (workers have no
 * `performance.memory`): the engine worker and, while it replays, the replay pump — a worker the engine worker
 * starts, so it is reached through the engine worker's own session. The bench and e2e/display.spec.ts both
 * measure with it.
 */
import type { Page } from '@playwright/test';

export interface HeapMb {
  page: number;
  /** Every worker of the page, nested ones included. */
  worker: number;
}

export interface HeapSampler {
  /** Ends the sampling; the peak is that of page and workers together, at one sample. */
  stop(): Promise<{ peakMb: number }>;
}

const MB = 1024 * 1024;
/** A worker being torn down may neither answer nor say it is gone for a while. */
const CALL_TIMEOUT_MS = 10_000;
const SAMPLE_INTERVAL_MS = 250;

type Send = (method: string, params: object) => Promise<unknown>;

interface TargetEvent {
  sessionId: string;
  targetInfo?: { type: string };
  message?: string;
}

/**
 * The page, or a worker attached under it, told to attach its own workers in turn. Playwright's sessions are not
 * flattened: a worker is spoken to in messages wrapped in its parent's `Target.sendMessageToTarget`, and its
 * answers and events come back wrapped in the parent's `Target.receivedMessageFromTarget`.
 */
class Target {
  private readonly children = new Map<string, Target>();
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private lastId = 0;
  private attached: Promise<unknown> = Promise.resolve();
  gone = false;

  constructor(private readonly route: { send: Send } | { parent: Target; sessionId: string }) {}

  call(method: string, params: object = {}): Promise<unknown> {
    if ('send' in this.route) return this.route.send(method, params);
    if (this.gone) return Promise.reject(new Error('the worker is gone'));
    const { parent, sessionId } = this.route;
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      const settle = (finish: () => void) => {
        clearTimeout(timer);
        this.pending.delete(id);
        finish();
      };
      const timer = setTimeout(
        () => settle(() => reject(new Error(`${method}: no answer within ${CALL_TIMEOUT_MS} ms`))),
        CALL_TIMEOUT_MS,
      );
      this.pending.set(id, {
        resolve: (value) => settle(() => resolve(value)),
        reject: (error) => settle(() => reject(error)),
      });
      const message = JSON.stringify({ id, method, params });
      parent.call('Target.sendMessageToTarget', { sessionId, message }).catch((error: unknown) => {
        this.pending.get(id)?.reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  /** Attaches the workers there are and those started later, each doing the same for its own. */
  autoAttach(): void {
    this.attached = this.call('Target.setAutoAttach', {
      autoAttach: true,
      waitForDebuggerOnStart: false,
      flatten: false,
    });
  }

  /** Resolves when every target attached so far has attached the workers it had. */
  async ready(): Promise<void> {
    await this.attached;
    await Promise.all([...this.children.values()].map((child) => child.ready().catch(() => undefined)));
  }

  /** This target and every worker under it that is still there. */
  all(): Target[] {
    return [this, ...[...this.children.values()].flatMap((child) => child.all())];
  }

  event(method: string, params: TargetEvent): void {
    if (method === 'Target.attachedToTarget') {
      if (params.targetInfo?.type !== 'worker') return;
      const child = new Target({ parent: this, sessionId: params.sessionId });
      this.children.set(params.sessionId, child);
      child.autoAttach();
    } else if (method === 'Target.receivedMessageFromTarget') {
      this.children.get(params.sessionId)?.receive(params.message ?? '{}');
    } else if (method === 'Target.detachedFromTarget') {
      this.children.get(params.sessionId)?.end();
      this.children.delete(params.sessionId);
    }
  }

  private receive(text: string): void {
    const message = JSON.parse(text) as {
      id?: number;
      method?: string;
      params?: TargetEvent;
      result?: unknown;
      error?: { message: string };
    };
    if (message.id === undefined) {
      if (message.method && message.params) this.event(message.method, message.params);
      return;
    }
    const pending = this.pending.get(message.id);
    if (message.error) pending?.reject(new Error(message.error.message));
    else pending?.resolve(message.result);
  }

  /** Gone, or no longer listened to: what it still owes an answer to fails now rather than at its timeout. */
  end(): void {
    this.gone = true;
    for (const pending of [...this.pending.values()]) pending.reject(new Error('the worker is gone'));
    for (const child of this.children.values()) child.end();
    this.children.clear();
  }
}

async function attachAll(page: Page): Promise<{ root: Target; close: () => Promise<void> }> {
  const session = await page.context().newCDPSession(page);
  // The methods are chosen at run time, which Playwright's typing of send() cannot express.
  const send = session.send.bind(session) as unknown as Send;
  const root = new Target({ send });
  for (const method of [
    'Target.attachedToTarget',
    'Target.detachedFromTarget',
    'Target.receivedMessageFromTarget',
  ] as const) {
    session.on(method, (params) => root.event(method, params as TargetEvent));
  }
  const close = async () => {
    root.end();
    await session.detach().catch(() => undefined);
  };
  try {
    root.autoAttach();
    await root.ready();
  } catch (error) {
    await close();
    throw error;
  }
  return { root, close };
}

/** Bytes used; a worker that went away meanwhile holds none. */
async function usedBytes(target: Target): Promise<number> {
  try {
    return ((await target.call('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
  } catch (error) {
    if (target.gone) return 0;
    throw error;
  }
}

/** Page and workers, each after a forced garbage collection of its own heap. */
export async function heapAfterGc(page: Page): Promise<HeapMb> {
  const { root, close } = await attachAll(page);
  try {
    const targets = root.all();
    await Promise.all(
      targets.map((target) =>
        target.call('HeapProfiler.collectGarbage').catch((error: unknown) => {
          if (!target.gone) throw error;
        }),
      ),
    );
    const [pageBytes = 0, ...workerBytes] = await Promise.all(targets.map(usedBytes));
    return { page: pageBytes / MB, worker: workerBytes.reduce((a, b) => a + b, 0) / MB };
  } finally {
    await close();
  }
}

/**
 * Polls the heaps of the page and of every worker, those started later included, until stopped: the largest
 * sum seen is the memory the page needed at its peak, which a figure after garbage collection does not show.
 */
export async function startHeapSampler(page: Page, intervalMs = SAMPLE_INTERVAL_MS): Promise<HeapSampler> {
  const { root, close } = await attachAll(page);
  let peakBytes = 0;
  let stopped = false;
  let wake: (() => void) | null = null;
  const sampling = (async () => {
    while (!stopped) {
      const startedMs = Date.now();
      const sizes = await Promise.all(root.all().map(usedBytes));
      peakBytes = Math.max(
        peakBytes,
        sizes.reduce((a, b) => a + b, 0),
      );
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - startedMs)));
      });
    }
  })();
  // Seen by stop(); until then a failure must not count as unhandled.
  sampling.catch(() => undefined);
  return {
    async stop() {
      stopped = true;
      wake?.();
      try {
        await sampling;
      } finally {
        await close();
      }
      return { peakMb: peakBytes / MB };
    },
  };
}
