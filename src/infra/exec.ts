import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { timerDelay } from '../util/duration.js';
import type { CommandOptions, CommandResult } from '../model/command.js';
import { descendantsOf, signalFound, stillRunning, type FoundProcess } from './process-tree.js';

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
 * Run a command given as argv (never through a shell). The child gets its own process group, and a
 * timeout or cancellation kills the whole tree: the group, and every descendant found through /proc
 * (those that started their own session with setsid too). Not found: a process that double-forked
 * away (its parent exited, so it was re-parented to init) before the kill. Never throws for a failing
 * command: the result says what happened. Plain node:child_process (execa cost 100 ms of imports at
 * start and 1.5 ms more per command: a step's time must be the command's, not drctl's).
 */
export function runCommand(argv: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined || file === '') return Promise.reject(new Error('runCommand: empty argv'));
  return new Promise<CommandResult>((resolve) => {
    const started = performance.now();
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        detached: true,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        env: options.env === undefined ? process.env : { ...process.env, ...options.env },
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      resolve({
        argv,
        exitCode: undefined,
        stdout: '',
        stderr: '',
        durationMs: 0,
        timedOut: false,
        cancelled: false,
        spawnError: spawnMessage(file, err.code, err.message, options.cwd),
        pid: undefined,
      });
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) options.onSpawn?.(pid);
    let timedOut = false;
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let tree: readonly FoundProcess[] = [];
    /**
     * Find the tree as it is now (before a kill re-parents it to init), then signal the group and every
     * descendant. Once the leader has exited (and its pid may be reused) only the known ones are roots.
     */
    const sweep = (signal: NodeJS.Signals): void => {
      if (pid === undefined) return;
      const leaderRuns = child.exitCode === null && child.signalCode === null;
      const known = stillRunning(tree);
      const found = descendantsOf([...(leaderRuns ? [pid] : []), ...known.map((p) => p.pid)]);
      tree = [...known, ...found.filter((f) => !known.some((k) => k.pid === f.pid))];
      killGroup(pid, signal);
      signalFound(tree, signal);
    };
    const terminate = (): void => {
      if (pid === undefined || killTimer !== undefined) return;
      sweep('SIGTERM');
      killTimer = setTimeout(() => sweep('SIGKILL'), timerDelay(options.killGraceMs ?? DEFAULT_KILL_GRACE_MS));
      killTimer.unref();
    };
    const stdout = capture(child.stdout, terminate);
    const stderr = capture(child.stderr, terminate);
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            terminate();
          }, timerDelay(options.timeoutMs));
    const onAbort = (): void => {
      cancelled = true;
      terminate();
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // the command may exit without reading its input
      child.stdin.end(options.input);
    }
    let settled = false;
    const finish = (exitCode: number | undefined, spawnError: string | undefined): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      // Reap anything of the tree that outlived its leader (e.g. a backgrounded grandchild on timeout).
      if (timedOut || cancelled) sweep('SIGKILL');
      resolve({
        argv,
        exitCode,
        stdout: stdout.text(),
        stderr: stderr.text(),
        durationMs: performance.now() - started,
        timedOut,
        cancelled,
        spawnError,
        pid,
      });
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (child.pid === undefined) finish(undefined, spawnMessage(file, e.code, e.message, options.cwd)); // could not start
    });
    child.on('close', (code) => finish(code ?? undefined, undefined));
  });
}

/** Collect a stream's text up to MAX_OUTPUT bytes (then stop the command); the final newline stripped. */
function capture(stream: Readable | null, overflow: () => void): { text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  stream?.on('data', (d: Buffer) => {
    if (size >= MAX_OUTPUT) return;
    chunks.push(d);
    size += d.length;
    if (size >= MAX_OUTPUT) overflow();
  });
  return {
    text: () => {
      const s = Buffer.concat(chunks).subarray(0, MAX_OUTPUT).toString('utf8');
      return s.endsWith('\r\n') ? s.slice(0, -2) : s.endsWith('\n') ? s.slice(0, -1) : s;
    },
  };
}

function spawnMessage(file: string, code: string | undefined, fallback: string, cwd: string | undefined): string {
  // spawn says ENOENT for a missing working folder too: name the folder, not the command
  if (code === 'ENOENT' && cwd !== undefined && !isFolder(cwd)) return `working folder not found: ${cwd}`;
  if (code === 'ENOENT') return `command not found: ${file}`;
  if (code === 'EACCES') return `permission denied: ${file}`;
  return fallback;
}

function isFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Last lines of an output, for error messages. */
export function tail(text: string, lines = 5): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

export type { CommandOptions, CommandResult } from '../model/command.js';
