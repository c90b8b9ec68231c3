import { readFileSync, readlinkSync } from 'node:fs';
import { pidAlive, readProcStat } from './proc.js';

/**
 * Who a process is, for judging another process dead rather than guessing: state locks (src/state),
 * routing-rule fences (src/rules) and file mutexes (fs-mutex.ts) record this of their holder (owner.ts).
 */

let cached: string | undefined | null = null;

/**
 * Where a pid means something: machine id, boot id and PID namespace (Linux). Two containers can share a
 * hostname (and an image's machine id) yet not see each other's processes; a holder's pid is checked only
 * by a process with the same identity. undefined where it cannot be told (then no pid is judged dead).
 */
export function hostIdentity(): string | undefined {
  if (cached !== null) return cached;
  const read = (fn: () => string): string | undefined => {
    try {
      return fn().trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const machine = read(() => readFileSync('/etc/machine-id', 'utf8')) ?? read(() => readFileSync('/var/lib/dbus/machine-id', 'utf8'));
  const boot = read(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'));
  const pidNs = read(() => readlinkSync('/proc/self/ns/pid'));
  cached = boot && pidNs ? `${machine ?? '-'}/${boot}/${pidNs}` : undefined;
  return cached;
}

/**
 * The start time of `pid` as the OS records it (Linux: field 22 of /proc/PID/stat, clock ticks since
 * boot), so that a pid reused by a later process is not taken for the recorded one. null where unknown
 * (no /proc); undefined when there is no such process (a zombie has exited).
 */
export function processStart(pid: number): string | null | undefined {
  const stat = readProcStat(pid);
  if (stat) return stat.state === 'Z' || stat.state === 'X' ? undefined : stat.startTime;
  // no /proc entry: either no such process, or no /proc on this system
  return pidAlive(pid) ? null : undefined;
}
