import { chown, mkdtemp, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from '../infra/exec.js';
import { asUser, isRoot, mustRun } from './run.js';

const PRIVATE_PARENT = '/tmp';

/** Can `osUser` reach (search) dir? Only a question when we are root (else the server runs as us). */
export async function osUserCanReach(osUser: string, dir: string): Promise<boolean> {
  if (!isRoot()) return true;
  const r = await runCommand(asUser(osUser, ['test', '-x', dir]), { timeoutMs: 10_000 });
  return r.exitCode === 0;
}

/**
 * Where a server that runs as its own OS user (postgres, mysql) keeps its data: DIR/SUB when that user
 * can reach the lab folder; otherwise (a clone under /root, whose 0700 the lab must not open) a private
 * folder under /tmp (mkdtemp: 0700, then owned by that user), with DIR/SUB a link to it, so runbooks keep
 * naming ${labDir}/SUB/... (owned by that user, 0700). The private folder is recorded in lab.json and removed by `lab down`.
 */
export async function placePrivateRoot(
  labDir: string,
  sub: string,
  osUser: string,
  prefix: string,
): Promise<{ root: string; privateRoot?: string }> {
  const inLab = path.join(labDir, sub);
  if (await osUserCanReach(osUser, labDir)) return { root: inLab };
  const privateRoot = await mkdtemp(path.join(PRIVATE_PARENT, prefix));
  const [uid, gid] = await Promise.all([mustRun(['id', '-u', osUser]), mustRun(['id', '-g', osUser])]);
  await chown(privateRoot, Number(uid.trim()), Number(gid.trim())); // still 0700: that user's alone
  await symlink(privateRoot, inLab);
  return { root: privateRoot, privateRoot };
}

/** Remove a private folder the lab made (only one of ours: under /tmp, with our prefix). */
export async function removePrivateRoot(privateRoot: string | undefined, prefix: string): Promise<void> {
  if (privateRoot === undefined) return;
  if (path.dirname(privateRoot) !== PRIVATE_PARENT || !path.basename(privateRoot).startsWith(prefix)) return;
  await rm(privateRoot, { recursive: true, force: true });
}
