import { mkdir, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lockHeld } from '../util/errors.js';

export interface LockHolder {
  readonly runId: string;
  readonly mode: string;
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  readonly since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const lockFileOf = (stateDir: string, scope: string): string =>
  path.join(stateDir, 'locks', `${scope.replace(/[^a-zA-Z0-9._-]/g, '_')}.lock`);

export async function readLock(stateDir: string, scope: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(lockFileOf(stateDir, scope), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** A holder on this host whose process is gone can be taken over; on another host it cannot be told. */
export const isStale = (h: LockHolder): boolean => h.host === os.hostname() && !alive(h.pid);

/**
 * One run per scope at a time: an exclusive lock file holding the holder's details. Refuses with a
 * LockHeld error (exit 4) naming the holder; takes over a lock whose holder process is dead.
 */
export async function acquireFileLock(stateDir: string, scope: string, holder: LockHolder): Promise<() => Promise<void>> {
  const file = lockFileOf(stateDir, scope);
  await mkdir(path.dirname(file), { recursive: true });
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fh = await open(file, 'wx', 0o600);
      await fh.writeFile(JSON.stringify(holder));
      await fh.sync();
      await fh.close();
      return async () => {
        const current = await readLock(stateDir, scope);
        if (current?.runId === holder.runId) await rm(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const current = await readLock(stateDir, scope);
      if (current && !isStale(current)) {
        throw lockHeld(
          `another run holds the lock "${scope}": run ${current.runId} (${current.mode}) by ${current.user}@${current.host} pid ${current.pid} since ${current.since}`,
          'wait for it to finish, or inspect it with `drctl status`',
        );
      }
      await rm(file, { force: true });
    }
  }
  throw lockHeld(`could not take the lock "${scope}"`);
}
