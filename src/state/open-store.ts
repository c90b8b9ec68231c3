import { stat } from 'node:fs/promises';
import { createFileStore } from './file-store.js';
import type { StateStore } from './store.js';
import { parseStoreSpec, stateNamed, STATE_FORMS } from './store-url.js';
import { usageError } from '../util/errors.js';
import { fsProblem } from '../util/fs-problem.js';

/**
 * --state (or DRCTL_STATE) → the store: a folder (embedded), Redis or etcd (their clients are imported
 * only then). Every command opens the store here, so each refuses the same values the same way (exit 3,
 * naming the flag or the variable): a malformed URL, or a path that is a file (or lies under one).
 */
export async function openStateStore(text: string, env: NodeJS.ProcessEnv = process.env): Promise<StateStore> {
  const spec = parseStoreSpec(text, env);
  if (spec.kind === 'file') {
    await checkFolder(spec.dir, stateNamed(text, env));
    return createFileStore(spec.dir);
  }
  if (spec.kind === 'etcd') {
    const { openEtcdStateStore } = await import('./etcd-store.js');
    return openEtcdStateStore(spec.etcd);
  }
  const { openRedisStateStore } = await import('./redis-store.js');
  return openRedisStateStore(spec);
}

/** A folder store's path is a folder, or nothing yet (it is made on first write); anything else is a usage error. */
async function checkFolder(dir: string, named: string): Promise<void> {
  const hint = `--state (also DRCTL_STATE) is ${STATE_FORMS}`;
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    const problem = fsProblem(e);
    if (problem === undefined) throw e;
    throw usageError(`${named}: ${problem}`, hint);
  }
  if (!isDir) throw usageError(`${named}: is a file, not a folder`, hint);
}
