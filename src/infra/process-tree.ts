import { readdirSync } from 'node:fs';
import { readProcStat, type ProcStat } from './proc.js';

/** A process as found at one moment: its pid and start time (so a reused pid is never signalled). */
export interface FoundProcess {
  readonly pid: number;
  /** Field 22 of /proc/PID/stat: clock ticks after boot when it started. */
  readonly startTime: string;
}

type Entry = Pick<ProcStat, 'ppid' | 'session' | 'startTime'>;

/** pid, ppid, session and start time; undefined when it is gone (or there is no /proc). */
const readStat = (pid: number): Entry | undefined => readProcStat(pid);

function processTable(): Map<number, Entry> {
  const table = new Map<number, Entry>();
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return table; // not Linux: only the process group is signalled
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readStat(Number(name));
    if (entry) table.set(Number(name), entry);
  }
  return table;
}

/**
 * Every live descendant of the given processes (children, grandchildren, ...), found by walking the
 * ppid links of /proc (Linux). This finds the ones a process-group kill misses: those that started
 * their own group or session (setsid). Limit: a process whose parent exited before the walk was
 * re-parented to init (a double fork, a daemon) and is no longer anyone's descendant: it is not found.
 */
export function descendantsOf(roots: readonly number[]): FoundProcess[] {
  return descendantsIn(processTable(), roots);
}

function descendantsIn(table: ReadonlyMap<number, Entry>, roots: readonly number[]): FoundProcess[] {
  const children = new Map<number, number[]>();
  for (const [pid, e] of table) {
    const list = children.get(e.ppid);
    if (list) list.push(pid);
    else children.set(e.ppid, [pid]);
  }
  const found: FoundProcess[] = [];
  const seen = new Set<number>(roots);
  const queue = [...roots];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      found.push({ pid: child, startTime: table.get(child)?.startTime ?? '' });
      queue.push(child);
    }
  }
  return found;
}

/** Signal each process that is still the one found (same start time); gone ones are skipped. */
export function signalFound(processes: readonly FoundProcess[], signal: NodeJS.Signals): void {
  for (const p of stillRunning(processes)) {
    try {
      process.kill(p.pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}

/** Those of the processes found earlier that still run (same pid and start time). */
export function stillRunning(processes: readonly FoundProcess[]): FoundProcess[] {
  return processes.filter((p) => readStat(p.pid)?.startTime === p.startTime);
}

/** A process's start time (field 22 of stat), to know it again later; undefined when gone or no /proc. */
export function startTimeOf(pid: number): string | undefined {
  return readStat(pid)?.startTime;
}

/**
 * What is left of commands started earlier (each the leader of its own session: spawned detached): the
 * ones still running as the same process, every process still in their sessions, and their descendants.
 * A daemon a command started that left the session (setsid: pg_ctl's postmaster) is not among them.
 */
export function leftoversOf(commands: readonly FoundProcess[]): { readonly roots: FoundProcess[]; readonly all: FoundProcess[] } {
  const roots = stillRunning(commands);
  if (roots.length === 0) return { roots, all: [] };
  const table = processTable();
  const sessions = new Set(roots.map((r) => r.pid));
  const inSession = [...table].filter(([, e]) => sessions.has(e.session)).map(([pid, e]) => ({ pid, startTime: e.startTime }));
  const all = new Map<number, FoundProcess>();
  for (const p of [
    ...roots,
    ...inSession,
    ...descendantsIn(
      table,
      roots.map((r) => r.pid),
    ),
  ])
    all.set(p.pid, p);
  return { roots, all: [...all.values()] };
}
