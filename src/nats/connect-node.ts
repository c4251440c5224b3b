/** TCP connection for Node programs (workers, CLI, tests). Never import this from browser code. */
import { connect } from '@nats-io/transport-node';
import { connectionOptions, type ConnectOptions, type NatsConnection } from './connection';

export type { ConnectOptions, NatsConnection };

export async function connectNode(options: ConnectOptions): Promise<NatsConnection> {
  return connect(connectionOptions(options));
}
