import type { execa as Execa } from 'execa';

export interface CommandOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
  readonly cwd?: string | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly input?: string | undefined;
  /** Grace between SIGTERM and SIGKILL of the process group. */
  readonly killGraceMs?: number | undefined;
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

const DEFAULT_KILL_GRACE_MS = 2000;
const MAX_OUTPUT = 1024 * 1024;

/** Signal a whole process group (the child was started detached, so its pid is the group id). */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Run a command given as argv (never through a shell). The child gets its own process group so that a
 * timeout or cancellation kills the whole tree, grandchildren included (execa alone signals only the
 * direct child). Never throws for a failing command: the result says what happened.
 */
export async function runCommand(argv: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined || file === '') throw new Error('runCommand: empty argv');
  const execa = await loadExeca();
  const started = performance.now();
  const child = execa(file, args, {
    reject: false,
    detached: true,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: { ...options.env } }),
    extendEnv: true,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    maxBuffer: MAX_OUTPUT,
    stripFinalNewline: true,
  });
  const pid = child.pid;
  let timedOut = false;
  let cancelled = false;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = (): void => {
    if (pid === undefined || killTimer !== undefined) return;
    killGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    killTimer.unref();
  };
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          terminate();
        }, options.timeoutMs);
  const onAbort = (): void => {
    cancelled = true;
    terminate();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await child;
    const code = (r as { code?: string }).code;
    const spawnError =
      r.exitCode === undefined && !timedOut && !cancelled && r.signal === undefined
        ? spawnMessage(file, code, r.originalMessage ?? r.shortMessage ?? "could not start")
        : undefined;
    // Reap anything of the group that outlived its leader (e.g. a backgrounded grandchild on timeout).
    if ((timedOut || cancelled) && pid !== undefined) killGroup(pid, 'SIGKILL');
    return {
      argv,
      exitCode: r.exitCode,
      stdout: typeof r.stdout === 'string' ? r.stdout : '',
      stderr: typeof r.stderr === 'string' ? r.stderr : '',
      durationMs: performance.now() - started,
      timedOut,
      cancelled,
      spawnError,
      pid,
    };
  } finally {
    if (timer) clearTimeout(timer);
    if (killTimer) clearTimeout(killTimer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function spawnMessage(file: string, code: string | undefined, fallback: string): string {
  if (code === 'ENOENT') return `command not found: ${file}`;
  if (code === 'EACCES') return `permission denied: ${file}`;
  return fallback;
}

/** Last lines of an output, for error messages. */
export function tail(text: string, lines = 5): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

// imported when first used, so commands that never talk to it start without loading execa
let execaModule: Promise<typeof Execa> | undefined;
/** Load what runCommand needs (a run does it before it starts: see StepKind.preload). */
export const loadExeca = (): Promise<typeof Execa> => (execaModule ??= import('execa').then((m) => m.execa));
