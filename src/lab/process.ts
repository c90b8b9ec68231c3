import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { pidAlive, readProcStat } from '../infra/proc.js';

/**
 * Long-running lab servers: started in their own session (so a signal to the test runner's or the
 * CLI's process group does not reach them), tracked by pid, stopped by pid.
 */
export interface SpawnDetachedOptions {
  readonly cwd?: string;
  readonly logFile: string;
  readonly env?: Readonly<Record<string, string>>;
  /** `env` is the whole environment (nothing inherited): etcd refuses to start when an ETCD_* variable shadows a flag. */
  readonly onlyEnv?: boolean;
}

/** Start argv detached (setsid), output appended to logFile; returns the pid. Does not wait for readiness. */
export function spawnDetached(argv: readonly string[], options: SpawnDetachedOptions): number {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('spawnDetached: empty argv');
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(file, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: options.onlyEnv ? { ...options.env } : { ...process.env, ...options.env },
    });
    child.on('error', () => undefined); // reported by the readiness check that follows
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${file} (see ${options.logFile})`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Is pid a live process (not a zombie)? */
export const isAlive = pidAlive;

/** 'T' when stopped (frozen), 'S'/'R' when running... undefined when unknown. */
export function processState(pid: number): string | undefined {
  return readProcStat(pid)?.state;
}

/** Signal a server and, when it leads its own process group (postgres, named, dc apps), its children too. */
export function signalServer(pid: number, signal: NodeJS.Signals): void {
  const leadsGroup = readProcStat(pid)?.pgrp === pid;
  try {
    process.kill(leadsGroup ? -pid : pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

/** Stop by pid: the server's stop signal (thawing it if frozen), then SIGKILL after the grace. Idempotent. */
export async function stopPid(pid: number, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  if (!isAlive(pid)) return;
  signalServer(pid, signal);
  signalServer(pid, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      signalServer(pid, 'SIGKILL');
      const killDeadline = Date.now() + 2000;
      while (isAlive(pid) && Date.now() < killDeadline) await delay(20);
      return;
    }
    await delay(20);
  }
}

/** Read a pid file (first line): undefined when absent or not a number. */
export async function readPidFile(file: string): Promise<number | undefined> {
  try {
    const first = (await readFile(file, 'utf8')).split('\n')[0]?.trim() ?? '';
    const pid = Number(first);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Poll until probe returns a value (not undefined/false) or the deadline passes; then throw `what`. */
export async function pollFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${why}`);
    }
    await delay(50);
  }
}
