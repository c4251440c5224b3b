/**
 * What the audit trail and the event log need of a sign-in to read the stream on its behalf: its connection
 * and the deployment's header names (docs/architecture.md#subjects-and-headers). A session satisfies it; no
 * session means "not signed in".
 */
import type { HeaderNames } from '../core/events';
import type { NatsConnection } from '../nats/connection';

export interface StreamReaderSession {
  readonly nc: NatsConnection;
  readonly names: HeaderNames;
}
