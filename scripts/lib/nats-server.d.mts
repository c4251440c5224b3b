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
  /** Interface to listen on; loopback unless given. */
  host?: string;
}
export declare function renderConfig(options: RenderConfigOptions): string;

export declare function freePort(): Promise<number>;
export declare function findNatsServer(): string | null;

export interface StartNatsServerOptions {
  /** Kept across restart(); a fresh temporary directory when omitted. */
  storeDir?: string;
  /** All three or none: free ports are picked when omitted. */
  ports?: { client: number; ws: number; http: number };
  allowedOrigins?: string[];
  /** Unique by default: start-up checks that the server answering on the port is this one. */
  serverName?: string;
}

export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>` */
  clientUrl: string;
  /** `ws://127.0.0.1:<port>` */
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
}
export declare function startNatsServer(options?: StartNatsServerOptions): Promise<NatsServerHandle>;
