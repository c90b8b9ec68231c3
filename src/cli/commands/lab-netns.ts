import { spawn } from 'node:child_process';

/**
 * A netns lab (drctl lab up --netns) is reached from inside its core namespace: the lab's own probes
 * (lab up's readiness checks, lab status) connect to the data centers' addresses there. Node cannot
 * enter a namespace itself, so drctl runs itself again under `ip netns exec CORE` with the same
 * arguments and terminal; the child's exit code is this command's.
 */
export function rerunInNetns(core: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', core, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}
