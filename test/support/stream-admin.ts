/**
 * What an operator does to a stream from the command line, for tests of readers that must survive it:
 * deleting WAREHOUSE_EVENTS (its consumers go with it) before provisioning it again, empty.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '../../src/nats/connection';

/** Deletes the stream, or throws (it does not exist, or the user is not admin). */
export async function deleteStream(nc: NatsConnection, stream: string): Promise<void> {
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  if (!(await jsm.streams.delete(stream))) throw new Error(`the server did not delete ${stream}`);
}
