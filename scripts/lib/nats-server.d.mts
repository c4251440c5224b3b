import type { Person } from './people.mjs';
export declare const REPO_ROOT: string;
export declare const CONFIG_PATH: string;

export interface RenderConfigOptions {
  clientPort: number;
  wsPort: number;
  httpPort: number;
  /** Absolute path; nats-server keeps its files in `<storeDir>/jetstream`. */
  storeDir: string;
  /** Replaces the WebSocket origins of the conf file when given. */
  allowedOrigins?: string[];
  serverName?: string;
  /**
   * Serve TLS with this certificate on both the WebSocket listener (instead of `no_tls: true`) and the
   * client port.
   */
  tls?: NatsServerTls;
  /** Interface to listen on; loopback unless given. */
  host?: string;
  /** Appends a `cluster {}` block: this node joins a JetStream cluster through these routes. */
  cluster?: ClusterRoutes;
  configPath?: string;
}
export interface ClusterRoutes {
  /** Cluster name, the same on every node. */
  name: string;
  /** This node's route port. */
  port: number;
  /** The other nodes, `nats-route://host:port`. */
  routes: string[];
}
export declare function clusterBlock(cluster: ClusterRoutes, host?: string): string;
/** PEM files readable by nats-server; the certificate should name 127.0.0.1 and localhost. */
export interface NatsServerTls {
  certFile: string;
  keyFile: string;
}
export declare function renderConfig(options: RenderConfigOptions): string;

export declare function freePort(): Promise<number>;
/** The release `ensureNatsServer` builds (`go install github.com/nats-io/nats-server/v2@v…`). */
export declare const NATS_SERVER_VERSION: string;
export declare const NATS_SERVER_MODULE: string;
/** Older binaries are passed over by the finders below. */
export declare const MIN_NATS_SERVER_VERSION: string;
/** `<repo>/.tools/bin`, searched before $NATS_SERVER and PATH. */
export declare const TOOLS_BIN: string;
export interface ParsedVersion {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release label (`RC.1`), empty for a release. */
  pre: string;
}
export declare function parseVersion(text: string | null | undefined): ParsedVersion | null;
export declare function versionAtLeast(version: string | null | undefined, minimum: string): boolean;
/** What `<path> --version` reports, as `X.Y.Z`, or null when the binary does not run. */
export declare function binaryVersion(path: string): string | null;
export interface ToolCandidate {
  path: string;
  /** TOOLS_BIN, the environment variable's name, or `PATH`. */
  source: string;
  version: string | null;
}
export declare function toolCandidates(name: string, envVar: string): ToolCandidate[];
export declare function natsServerCandidates(): ToolCandidate[];
export declare function findNatsServerWithVersion(): { path: string; version: string } | null;
/** Path of a nats-server at MIN_NATS_SERVER_VERSION or newer, or null. */
export declare function findNatsServer(): string | null;

export interface StartNatsServerOptions {
  /** Kept across restart(); a fresh temporary directory when omitted. */
  storeDir?: string;
  /** All three or none: free ports are picked when omitted. */
  ports?: { client: number; ws: number; http: number };
  allowedOrigins?: string[];
  /** Unique by default: start-up checks that the server answering on the port is this one. */
  serverName?: string;
  /** Joins a JetStream cluster (see startNatsCluster in nats-cluster.mjs). */
  cluster?: ClusterRoutes;
  /** wss:// and TLS on the client port (clientUrl and wsUrl then use the tls:// and wss:// schemes). */
  tls?: NatsServerTls;
  /** The people the server knows; people.json's when omitted. */
  people?: Person[];
  /** Another configuration to render instead of the repository's (to check a test against an old layout). */
  configPath?: string;
}

export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>` (`tls://` with the tls option) */
  clientUrl: string;
  /** `ws://127.0.0.1:<port>` (`wss://` with the tls option) */
  wsUrl: string;
  clientPort: number;
  wsPort: number;
  httpPort: number;
  /** Current process id (changes after restart()). */
  readonly pid: number;
  storeDir: string;
  logPath: string;
  /** SIGTERM, then SIGKILL after 10 s; resolves when the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL, for crash tests. */
  kill(): Promise<void>;
  /** Stops (if running) and starts again on the same ports with the same store. */
  restart(): Promise<void>;
  /** Rewrites the people and reloads the server's configuration; resolves once the server confirms it. */
  setPeople(people: Person[]): Promise<void>;
}
export declare function writePeopleConf(dir: string, people?: Person[]): void;
export declare function reloadServer(pid: number, logPath: string): Promise<void>;
export declare function startNatsServer(options?: StartNatsServerOptions): Promise<NatsServerHandle>;
