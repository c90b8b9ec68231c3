import { readFileSync } from 'node:fs';

/** What /proc/PID/stat says of a process (Linux). */
export interface ProcStat {
  /** R running, S sleeping, T stopped (frozen), Z zombie, X dead... */
  readonly state: string;
  readonly ppid: number;
  /** Process group id. */
  readonly pgrp: number;
  /** Session id. */
  readonly session: number;
  /** Field 22: clock ticks after boot when it started (tells a reused pid from the process recorded). */
  readonly startTime: string;
}

/**
 * The one reader of /proc/PID/stat: undefined when there is no such process, or no /proc (not Linux).
 * "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses, so the fields are
 * split after the last ')'.
 */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(f[1]);
  const startTime = f[19];
  if (!Number.isInteger(ppid) || startTime === undefined) return undefined;
  return { state: f[0] ?? '', ppid, pgrp: Number(f[2]), session: Number(f[3]), startTime };
}

/**
 * Is `pid` a live process? A signal-0 probe (EPERM: it exists under another user), and not a zombie or
 * dead entry (it has exited; only its parent has not reaped it yet). The one pid-alive check.
 */
export function pidAlive(pid: number | undefined): boolean {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = readProcStat(pid)?.state;
  return state !== 'Z' && state !== 'X';
}

/** A process's command line as one text (/proc/PID/cmdline, NULs as spaces); undefined when it is gone. */
export function readProcCmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return undefined;
  }
}
