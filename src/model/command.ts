/** The command runner's contract (infra/exec.ts runs it; kinds reach it through KindContext.exec). */
export interface CommandOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
  readonly cwd?: string | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly input?: string | undefined;
  /** Grace between SIGTERM and SIGKILL of the process group. */
  readonly killGraceMs?: number | undefined;
  /** Called once the command has started, with its pid (it leads its own session and process group). */
  readonly onSpawn?: (pid: number) => void;
}

export interface CommandResult {
  readonly argv: readonly string[];
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Set when the command could not be started at all (e.g. ENOENT). */
  readonly spawnError: string | undefined;
  readonly pid: number | undefined;
}
