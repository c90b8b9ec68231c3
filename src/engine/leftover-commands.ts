import type { RecordedCommand } from '../model/replay.js';
import { leftoversOf, signalFound, stillRunning } from '../infra/process-tree.js';

/** Every command a run starts carries its run id and step id in its environment (for the command's own use). */
export const RUN_ID_ENV = 'DRCTL_RUN_ID';
export const STEP_ID_ENV = 'DRCTL_STEP_ID';

/**
 * Commands an earlier controller of the run started that still run: a controller killed mid-apply
 * (SIGKILL, OOM) leaves its step's command running in its own session, and it could change the estate
 * after a resume or rollback has decided what to do. Called by resume and rollback once they hold the
 * run's lock and are about to act: each recorded command still running as the same process (same start
 * time), with its session and descendants, is sent SIGTERM, then SIGKILL after graceMs. Daemons the
 * commands started in sessions of their own (a database's postmaster) are left alone. Returns the
 * commands found.
 */
export async function stopLeftoverCommands(commands: readonly RecordedCommand[], graceMs = 2_000): Promise<RecordedCommand[]> {
  const { roots, all } = leftoversOf(commands);
  if (roots.length === 0) return [];
  signalFound(all, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (stillRunning(all).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  signalFound(all, 'SIGKILL');
  return commands.filter((c) => roots.some((r) => r.pid === c.pid && r.startTime === c.startTime));
}

/** "pid 123 of step b (sh -c sleep 3; touch drained)" for messages. */
export const describeLeftovers = (found: readonly RecordedCommand[]): string =>
  found.map((p) => `pid ${p.pid} of step ${p.stepId} (${p.command.length > 80 ? `${p.command.slice(0, 80)}…` : p.command})`).join(', ');
