import path from 'node:path';
import { isAlive, processState, signalServer } from '../../lab/process.js';
import { livePid, loadLabState } from '../../lab/state-file.js';
import { isDrctlError } from '../../util/errors.js';
import { stepError } from '../../model/kind.js';

/** One lab process of the cut data centers, as fault.freeze sees it. */
export interface DcProcess {
  readonly name: string;
  readonly dc: string;
  readonly pid: number;
  readonly frozen: boolean;
}

/** The processes of `dcs` in the lab folder that are alive, with their frozen state (/proc/PID/stat 'T'). */
export async function dcProcesses(labDir: string, dcs: readonly string[]): Promise<readonly DcProcess[]> {
  const state = await loadLabState(labDir).catch((e: unknown) => {
    throw stepError(isDrctlError(e) ? e.message : `cannot read ${labDir}/lab.json: ${(e as Error).message}`, {
      retryable: false,
      cause: e,
    });
  });
  if (!state) throw stepError(`no lab in ${labDir} (no lab.json): run drctl lab up`, { retryable: false });
  const known = new Set(state.processes.map((p) => p.dc as string));
  const unknown = dcs.filter((dc) => !known.has(dc));
  if (unknown.length > 0) {
    throw stepError(
      `unknown data center${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: the lab has ${[...known].sort().join(', ')}`,
      { retryable: false },
    );
  }
  const out: DcProcess[] = [];
  for (const p of state.processes.filter((x) => dcs.includes(x.dc))) {
    const pid = await livePid(p);
    if (!isAlive(pid)) continue;
    out.push({ name: p.name, dc: p.dc, pid, frozen: processState(pid) === 'T' });
  }
  return out;
}

/** SIGSTOP (freeze) or SIGCONT (thaw) each process (and its group when it leads one). */
export function signalProcesses(list: readonly DcProcess[], signal: 'SIGSTOP' | 'SIGCONT'): void {
  for (const p of list) signalServer(p.pid, signal);
}

export const resolveLabDir = (labDir: string, baseDir: string): string => path.resolve(baseDir, labDir);
