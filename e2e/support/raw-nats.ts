/**
 * A publish written by hand in the NATS wire protocol, sent from inside a signed-in page over its own
 * WebSocket (same origin as the app, so the server's origin check lets it in). It bypasses everything
 * the UI does: only the server's permissions stand between a user and the stream.
 */
import type { Page } from '@playwright/test';

export interface RawPublish {
  wsUrl: string;
  user: string;
  password: string;
  subject: string;
  headers: Record<string, string>;
  payload: string;
}

export interface RawPublishReport {
  /** `-ERR` lines the server sent, without the quotes. */
  errors: string[];
  /** The server answered the PING after the publish: everything before it was processed. */
  pong: boolean;
}

export function rawPublishFromPage(page: Page, request: RawPublish): Promise<RawPublishReport> {
  return page.evaluate(
    (r) =>
      new Promise<RawPublishReport>((resolve, reject) => {
        const encoder = new TextEncoder();
        const decoder = new TextDecoder();
        const ws = new WebSocket(r.wsUrl);
        ws.binaryType = 'arraybuffer';
        let received = '';
        let sent = false;
        const timer = setTimeout(() => {
          ws.close();
          reject(new Error(`no PONG within 5 s; received: ${received}`));
        }, 5_000);
        const finish = (pong: boolean) => {
          clearTimeout(timer);
          ws.close();
          const errors = [...received.matchAll(/^-ERR '?(.*?)'?\r$/gm)].map((m) => m[1] ?? '');
          resolve({ errors, pong });
        };
        ws.onmessage = (event) => {
          received += typeof event.data === 'string' ? event.data : decoder.decode(event.data as ArrayBuffer);
          if (!sent && received.includes('INFO ')) {
            sent = true;
            const connect = JSON.stringify({
              verbose: false,
              pedantic: false,
              user: r.user,
              pass: r.password,
              headers: true,
              no_responders: true,
              protocol: 1,
              lang: 'e2e-hand-crafted',
              version: '0',
            });
            const head =
              'NATS/1.0\r\n' +
              Object.entries(r.headers)
                .map(([k, v]) => `${k}: ${v}\r\n`)
                .join('') +
              '\r\n';
            const headLength = encoder.encode(head).byteLength;
            const total = headLength + encoder.encode(r.payload).byteLength;
            ws.send(
              encoder.encode(
                `CONNECT ${connect}\r\nHPUB ${r.subject} ${headLength} ${total}\r\n${head}${r.payload}\r\nPING\r\n`,
              ),
            );
          }
          if (sent && received.includes('PONG\r\n')) finish(true);
        };
        ws.onclose = () => finish(received.includes('PONG\r\n'));
        ws.onerror = () => reject(new Error(`WebSocket error; received: ${received}`));
      }),
    request,
  );
}
