import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lockHeld } from '../util/errors.js';
import { FencedOut } from './errors.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { withFsMutex } from './fs-mutex.js';
import { holderText, livenessOf, type HolderInput, type LockHolder, type LockLease } from './store.js';

/**
 * The file store's lock: STATE/locks/<scope>.lock holds the holder, its lease expiry and its fencing
 * token; <scope>.fence holds the scope's last token (never reset, so tokens only grow). Every change
 * of either, and every fenced journal append, happens inside the scope's fs mutex.
 */
export const lockFileOf = (stateDir: string, scope: string): string =>
  path.join(stateDir, 'locks', `${scope.replace(/[^a-zA-Z0-9._-]/g, '_')}.lock`);

export async function readLock(stateDir: string, scope: string): Promise<LockHolder | undefined> {
  return readLockFile(lockFileOf(stateDir, scope));
}

async function readLockFile(file: string): Promise<LockHolder | undefined> {
  try {
    const h = JSON.parse(await readFile(file, 'utf8')) as Partial<LockHolder>;
    // a lock written before leases existed: no expiry, token 0
    return { ...h, expiresAt: h.expiresAt ?? new Date(8.64e15).toISOString(), token: h.token ?? 0 } as LockHolder;
  } catch {
    return undefined;
  }
}

export function heldMessage(scope: string, h: LockHolder): string {
  return `another run holds the lock "${scope}": ${holderText(h)} (lease until ${h.expiresAt}, token ${h.token})`;
}

export async function acquireFileLock(stateDir: string, scope: string, input: HolderInput, leaseMs: number): Promise<LockLease> {
  const file = lockFileOf(stateDir, scope);
  await mkdir(path.dirname(file), { recursive: true });
  let tookOver: LockLease['tookOver'];
  const holder = await withFsMutex(file, async () => {
    const current = await readLockFile(file);
    const liveness = current && livenessOf(current);
    if (current && liveness && liveness !== 'live') tookOver = { holder: current, why: liveness };
    if (current && liveness === 'live') {
      throw lockHeld(heldMessage(scope, current), 'wait for it to finish, or inspect it with `drctl status`');
    }
    const token = (await readCounter(`${file.slice(0, -'.lock'.length)}.fence`)) + 1;
    await writeFileAtomic(`${file.slice(0, -'.lock'.length)}.fence`, `${token}\n`);
    const h: LockHolder = { ...input, token, expiresAt: new Date(Date.now() + leaseMs).toISOString() };
    await writeFileAtomic(file, JSON.stringify(h));
    return h;
  });
  let latest = holder;
  return {
    scope, token: holder.token, holder, tookOver,
    renew: () => withFsMutex(file, async () => {
      await assertFence(file, scope, holder.token);
      latest = { ...latest, expiresAt: new Date(Date.now() + leaseMs).toISOString() };
      await writeFileAtomic(file, JSON.stringify(latest));
      return latest;
    }),
    release: () => withFsMutex(file, async () => {
      if ((await readLockFile(file))?.token === holder.token) await rm(file, { force: true });
    }),
  };
}

/** Throws FencedOut unless the scope's lock still carries `token`. Call inside the scope's mutex. */
export async function assertFence(lockFile: string, scope: string, token: number): Promise<void> {
  const current = await readLockFile(lockFile);
  if (current?.token !== token) {
    throw new FencedOut(scope, token, current && { token: current.token, runId: current.runId, holder: `${current.user}@${current.host} pid ${current.pid}` });
  }
}

export const fencedWrite = <T>(stateDir: string, scope: string, token: number, write: () => Promise<T>): Promise<T> => {
  const file = lockFileOf(stateDir, scope);
  return withFsMutex(file, async () => {
    await assertFence(file, scope, token);
    return write();
  });
};

export async function forceRemoveFileLock(stateDir: string, scope: string): Promise<LockHolder | undefined> {
  const file = lockFileOf(stateDir, scope);
  return withFsMutex(file, async () => {
    const current = await readLockFile(file);
    await rm(file, { force: true });
    return current;
  });
}

export async function listFileLocks(stateDir: string): Promise<{ scope: string; holder: LockHolder }[]> {
  let files: string[];
  try {
    files = (await readdir(path.join(stateDir, 'locks'))).filter((f) => f.endsWith('.lock'));
  } catch {
    return [];
  }
  const out: { scope: string; holder: LockHolder }[] = [];
  for (const f of files) {
    const holder = await readLockFile(path.join(stateDir, 'locks', f));
    if (holder) out.push({ scope: f.slice(0, -'.lock'.length), holder });
  }
  return out;
}

async function readCounter(file: string): Promise<number> {
  const n = Number((await readFile(file, 'utf8').catch(() => '0')).trim());
  return Number.isFinite(n) ? n : 0;
}

/** The host this process runs on (holder records). */
export const thisHost = (): string => os.hostname();
