/**
 * Publishing many events fast, for filling a stream (the chain demo): core publishes with a reply subject, so
 * that JetStream still acknowledges each one, and a single subscription that counts the answers, with a bound on
 * those not yet answered. Awaiting a JetStream publish per event costs a request object, a timer and a promise
 * each; measured against this in scripts/measure-chain-fill.ts (docs/platform-notes.md#filling-a-stream).
 *
 * The server answers one connection's publishes in order, so once an answer is a refusal the events sent after
 * it may still be stored: the caller stops and reads the stream to see how far it got.
 */
import { createInbox, MsgHdrsImpl, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import type { EncodedMessage } from '../core/codec';

export interface PipelinedPublisherOptions {
  /** The connection's inbox prefix (`_INBOX_<user>`): the only subjects the user may subscribe to for replies. */
  inboxPrefix: string;
  /** Unanswered publishes allowed at once. */
  window: number;
  /** With publishes unanswered, this long without any answer fails the publisher (the server is stuck or gone). */
  stallMs?: number;
}

export class PublishRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PublishRefused';
  }
}

const utf8 = new TextEncoder();
const text = new TextDecoder();

/**
 * A header block built in one pass, for publishing only: nats.js's own headers canonicalise and search their
 * names on every append, which cost more per event than generating and encoding the event itself, and publish
 * only asks for the bytes (`encode`). Reading it back (`get`, `has`) finds nothing.
 */
export class HeaderBlock extends MsgHdrsImpl {
  private readonly text: string;

  constructor(headers: Record<string, string>) {
    super();
    let text = 'NATS/1.0\r\n';
    for (const name in headers) {
      const value = headers[name]!;
      // What nats.js refuses too: a line break or colon would end the name or the value early.
      if (/[\r\n:\s]/.test(name) || /[\r\n]/.test(value)) throw new PublishRefused(`bad header ${name}`);
      text += `${name}: ${value}\r\n`;
    }
    this.text = `${text}\r\n`;
  }

  override toString(): string {
    return this.text;
  }

  override encode(): Uint8Array {
    return utf8.encode(this.text);
  }
}

export class PipelinedPublisher {
  /** Acknowledged as stored (duplicates included). */
  answered = 0;
  /** Acknowledged as a duplicate of an id already stored within the duplicate window. */
  duplicates = 0;
  private sent = 0;
  private failure: Error | undefined;
  private wake: (() => void) | null = null;
  private readonly reply: string;
  private readonly subscription: Subscription;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private lastAnswerMs = Date.now();

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: PipelinedPublisherOptions,
  ) {
    const inbox = createInbox(options.inboxPrefix);
    this.reply = `${inbox}.a`;
    this.subscription = nc.subscribe(this.reply, {
      callback: (error, m) => {
        this.answered++;
        this.lastAnswerMs = Date.now();
        if (error) this.fail(new PublishRefused(error.message));
        else if (m.data.length === 0) {
          // A status without a body: 503 means no stream listens on the subject.
          this.fail(new PublishRefused(`the server answered with status ${m.headers?.code ?? '?'}`));
        } else {
          const answer = text.decode(m.data);
          if (answer.startsWith('{"error"')) this.fail(new PublishRefused(answer));
          else if (answer.includes('"duplicate":true')) this.duplicates++;
        }
        this.notify();
      },
    });
    const stallMs = options.stallMs ?? 30_000;
    this.watchdog = setInterval(
      () => {
        if (this.sent > this.answered && Date.now() - this.lastAnswerMs > stallMs) {
          this.fail(new Error(`no acknowledgement for ${Math.round(stallMs / 1000)} s`));
        }
      },
      Math.min(1000, stallMs),
    );
    void nc.closed().then((err) => this.fail(err ?? new Error('the connection closed')));
  }

  /** Publishes once fewer than `window` are unanswered; throws once anything was refused or failed. */
  async publish(message: EncodedMessage): Promise<void> {
    while (this.failure === undefined && this.sent - this.answered >= this.options.window) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.failure) throw this.failure;
    this.nc.publish(message.subject, utf8.encode(message.payload), {
      headers: new HeaderBlock(message.headers),
      reply: this.reply,
    });
    this.sent++;
  }

  /** Resolves when everything sent is answered; throws once anything was refused or failed. */
  async settle(): Promise<void> {
    while (this.failure === undefined && this.answered < this.sent) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.failure) throw this.failure;
  }

  close(): void {
    clearInterval(this.watchdog);
    this.subscription.unsubscribe();
    this.fail(new Error('the publisher is closed'));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
