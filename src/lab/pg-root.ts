import { mkdtemp, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from '../util/exec.js';
import { PG_OS_USER } from './postgres.js';
import { asUser, isRoot } from './run.js';

export const PRIVATE_PG_PREFIX = 'drctl-lab-pg-';
const PRIVATE_PARENT = '/tmp';

/** Can the postgres user reach (search) dir? Only a question when we are root (else PostgreSQL runs as us). */
async function postgresCanReach(dir: string): Promise<boolean> {
  if (!isRoot()) return true;
  const r = await runCommand(asUser(PG_OS_USER, ['test', '-x', dir]), { timeoutMs: 10_000 });
  return r.exitCode === 0;
}

/**
 * Where the lab's PostgreSQL data goes: DIR/pg when the postgres user can reach DIR; otherwise (a clone
 * under /root, whose 0700 the lab must not open) a private folder under /tmp (mkdtemp: 0700, then owned
 * by postgres), with DIR/pg a link to it so runbooks keep naming ${labDir}/pg/... (db.primary resolves
 * the link itself). The private folder is recorded in lab.json and removed by `lab down`.
 */
export async function placePgRoot(labDir: string): Promise<{ root: string; privateRoot?: string }> {
  const inLab = path.join(labDir, 'pg');
  if (await postgresCanReach(labDir)) return { root: inLab };
  const privateRoot = await mkdtemp(path.join(PRIVATE_PARENT, PRIVATE_PG_PREFIX));
  await symlink(privateRoot, inLab);
  return { root: privateRoot, privateRoot };
}

/** Remove a private PostgreSQL folder the lab made (only one of ours: under /tmp, with our prefix). */
export async function removePrivatePgRoot(privateRoot: string | undefined): Promise<void> {
  if (privateRoot === undefined) return;
  if (path.dirname(privateRoot) !== PRIVATE_PARENT || !path.basename(privateRoot).startsWith(PRIVATE_PG_PREFIX)) return;
  await rm(privateRoot, { recursive: true, force: true });
}
