/**
 * A publish written by hand in the NATS wire protocol over TCP, for what nats.js refuses to send (e.g. a header
 * name with a space) but any other client can: readers must survive whatever the server accepts.
 */
import { connect as tcpConnect } from 'node:net';

export interface RawTcpPublish {
  /** nats://host:port */
  clientUrl: string;
  user: string;
  password: string;
  subject: string;
  /** Header lines after the version line, sent exactly as given. */
  headerLines: string[];
  payload: string;
}

/** Resolves once the server answered the PING that follows the publish (so it was processed). */
export function rawTcpPublish(request: RawTcpPublish): Promise<void> {
  const { hostname, port } = new URL(request.clientUrl.replace(/^nats:/, 'http:'));
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(Number(port), hostname);
    let received = '';
    let sent = false;
    const timer = setTimeout(() => fail(new Error(`no PONG within 5 s; received: ${received}`)), 5000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.on('error', fail);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('-ERR')) return fail(new Error(received.trim()));
      if (!sent && received.includes('INFO ')) {
        sent = true;
        const head = `NATS/1.0\r\n${request.headerLines.map((l) => `${l}\r\n`).join('')}\r\n`;
        const headBytes = Buffer.byteLength(head);
        const total = headBytes + Buffer.byteLength(request.payload);
        const connect = { user: request.user, pass: request.password, headers: true, verbose: false };
        socket.write(
          `CONNECT ${JSON.stringify(connect)}\r\n` +
            `HPUB ${request.subject} ${headBytes} ${total}\r\n${head}${request.payload}\r\nPING\r\n`,
        );
      } else if (sent && /PONG\r\n/.test(received)) {
        clearTimeout(timer);
        socket.end();
        resolve();
      }
    });
  });
}
