import { isAlive, signalServer } from './process.js';
import { livePid, loadLabState } from './state-file.js';
import type { LabProcess } from './types.js';
import { labFailed, labInvalid } from './errors.js';

/**
 * Cut a data center the way its clients see a real network cut: every lab process in it is frozen
 * (SIGSTOP), so peers see a silent server, not a refused connection. labThaw resumes them (SIGCONT).
 * Returns the processes signalled.
 */
export async function labFreeze(dir: string, dc: string): Promise<readonly LabProcess[]> {
  return signalDc(dir, dc, 'SIGSTOP');
}

export async function labThaw(dir: string, dc: string): Promise<readonly LabProcess[]> {
  return signalDc(dir, dc, 'SIGCONT');
}

async function signalDc(dir: string, dc: string, signal: NodeJS.Signals): Promise<readonly LabProcess[]> {
  const state = await loadLabState(dir);
  if (!state) throw labFailed(`no lab in ${dir} (no lab.json)`, 'run drctl lab up');
  const known = new Set(state.processes.map((p) => p.dc));
  if (!known.has(dc as LabProcess['dc'])) {
    throw labInvalid(`unknown data center "${dc}": the lab has ${[...known].sort().join(', ')}`);
  }
  const done: LabProcess[] = [];
  for (const p of state.processes.filter((x) => x.dc === dc)) {
    const pid = await livePid(p);
    if (!isAlive(pid)) continue;
    signalServer(pid, signal);
    done.push({ ...p, pid });
  }
  return done;
}
