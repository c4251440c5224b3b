import type { NatsServerHandle } from './nats-server.mjs';

export interface ClusterNodePorts {
  client: number;
  ws: number;
  http: number;
  /** Route port, for the other nodes. */
  cluster: number;
}

export interface StartNatsClusterOptions {
  /** Number of nodes (default 3). */
  size?: number;
  /** Server names, one per node (default n1, n2, …); each node's store is `<baseDir>/<name>`. */
  names?: string[];
  /** Default `stockwire`. */
  clusterName?: string;
  /** Kept after stop(); a fresh temporary directory when omitted. */
  baseDir?: string;
  /** One set per node; free ports are picked when omitted. */
  ports?: ClusterNodePorts[];
  allowedOrigins?: string[];
  /** How long to wait for a JetStream meta leader (default 30 s). */
  readyTimeoutMs?: number;
}

export interface NatsCluster {
  name: string;
  baseDir: string;
  /** Server names, in the order of `nodes`. */
  names: string[];
  nodes: NatsServerHandle[];
  clientUrls: string[];
  wsUrls: string[];
  /** The meta leader's server name, once every running node names the same one. */
  waitForMetaLeader(timeoutMs?: number): Promise<string>;
  /** SIGTERM to every node still running; resolves when all have exited. */
  stop(): Promise<void>;
}

export declare function startNatsCluster(options?: StartNatsClusterOptions): Promise<NatsCluster>;

/** A node's `/jsz` response (e.g. query `?accounts=true&streams=true`), or null when it does not answer. */
export declare function jetstreamInfo(
  httpPort: number,
  query?: string,
): Promise<{ meta_cluster?: { leader?: string; cluster_size?: number }; account_details?: unknown[] } | null>;
