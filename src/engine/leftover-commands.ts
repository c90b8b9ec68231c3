import { processesWithEnv, signalFound, stillRunning, type MarkedProcess } from '../util/process-tree.js';

/** Every command a run starts carries its run id in this environment variable (and its step id in DRCTL_STEP_ID). */
export const RUN_ID_ENV = 'DRCTL_RUN_ID';
export const STEP_ID_ENV = 'DRCTL_STEP_ID';

/**
 * Commands an earlier controller of `runId` started that still run: a controller killed mid-apply
 * (SIGKILL, a host crash of the controller only) leaves its step's command running in its own session,
 * and it could change the estate after a resume or rollback has decided what to do. Called by resume
 * and rollback once they hold the run's lock (so that controller is dead or fenced out): each is sent
 * SIGTERM, then SIGKILL after graceMs. Returns what was found.
 */
export async function stopLeftoverCommands(runId: string, graceMs = 2_000): Promise<MarkedProcess[]> {
  const found = processesWithEnv(RUN_ID_ENV, runId);
  if (found.length === 0) return found;
  signalFound(found, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (stillRunning(found).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  signalFound(found, 'SIGKILL');
  return found;
}

/** "pid 123 (sh -c sleep 3; touch drained)" for messages. */
export const describeLeftovers = (found: readonly MarkedProcess[]): string =>
  found.map((p) => `pid ${p.pid} (${p.command.length > 80 ? `${p.command.slice(0, 80)}…` : p.command})`).join(', ');
