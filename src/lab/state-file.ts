import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlive, readPidFile } from './process.js';
import { LAB_STATE_FILE, type LabProcess, type LabState } from './types.js';
import { labFailed } from './errors.js';
import { DrctlError, ExitCode } from '../util/errors.js';
import { fsProblem } from '../util/fs-problem.js';

export const labStatePath = (dir: string): string => path.join(path.resolve(dir), LAB_STATE_FILE);

/** lab.json of dir, or undefined when there is none. */
export async function loadLabState(dir: string): Promise<LabState | undefined> {
  let text: string;
  try {
    text = await readFile(labStatePath(dir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // the lab folder is the user's --dir (or DRCTL_LAB_DIR): a path that cannot be one is bad input
    const problem = fsProblem(e);
    if (problem !== undefined) throw new DrctlError('bad-path', ExitCode.invalidInput, `--dir ${dir}: ${problem}`, { cause: e });
    throw e;
  }
  try {
    return JSON.parse(text) as LabState;
  } catch {
    throw labFailed(`${labStatePath(dir)} is not valid JSON`, 'stop its processes and remove the lab folder by hand');
  }
}

/** Write lab.json atomically (write a temp file, then rename). */
export async function saveLabState(state: LabState): Promise<void> {
  const file = labStatePath(state.dir);
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** The live pid of a process: from its pid file when it has one (postgres restarts), else the recorded one. */
export async function livePid(p: LabProcess): Promise<number> {
  if (p.pidFile !== undefined) {
    const fromFile = await readPidFile(p.pidFile);
    if (fromFile !== undefined && isAlive(fromFile)) return fromFile;
  }
  return p.pid;
}
