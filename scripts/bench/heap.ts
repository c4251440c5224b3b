/**
 * JS heap of a page plus its engine worker, each after a forced garbage collection, over the DevTools protocol
 * (workers have no `performance.memory`). The bench and e2e/display.spec.ts both measure with it.
 */
import type { CDPSession, Page } from '@playwright/test';

export interface HeapMb {
  page: number;
  worker: number;
}

const MB = 1024 * 1024;
const ATTACH_TIMEOUT_MS = 10_000;

export async function heapAfterGc(page: Page): Promise<HeapMb> {
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('HeapProfiler.collectGarbage');
    const pageHeap = (await session.send('Runtime.getHeapUsage')).usedSize;
    const workerHeap = await workerHeapAfterGc(session);
    return { page: pageHeap / MB, worker: workerHeap / MB };
  } finally {
    await session.detach().catch(() => undefined);
  }
}

async function workerHeapAfterGc(session: CDPSession): Promise<number> {
  const attached = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the page has no worker to measure')), ATTACH_TIMEOUT_MS);
    session.on('Target.attachedToTarget', (event) => {
      if (event.targetInfo.type !== 'worker') return;
      clearTimeout(timer);
      resolve(event.sessionId);
    });
  });
  await session.send('Target.setAutoAttach', {
    autoAttach: true,
    waitForDebuggerOnStart: false,
    flatten: false,
  });
  const sessionId = await attached;
  let lastId = 0;
  const call = <T>(method: string): Promise<T> =>
    new Promise((resolve) => {
      const id = ++lastId;
      const onMessage = (event: { sessionId?: string; message: string }) => {
        const reply = JSON.parse(event.message) as { id?: number; result: T };
        if (event.sessionId !== sessionId || reply.id !== id) return;
        session.off('Target.receivedMessageFromTarget', onMessage);
        resolve(reply.result);
      };
      session.on('Target.receivedMessageFromTarget', onMessage);
      void session.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
    });
  await call('HeapProfiler.collectGarbage');
  return (await call<{ usedSize: number }>('Runtime.getHeapUsage')).usedSize;
}
