/** What a command may touch of its process, so tests can run commands in-process too. */
export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Aborts on Ctrl-C / SIGTERM: long-running commands stop cleanly. */
  signal: AbortSignal;
}
