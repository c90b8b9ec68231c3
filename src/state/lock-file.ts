import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { FencedOut, lockHeldBy } from './errors.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { withFsMutex } from '../infra/fs-mutex.js';
import { hostIdentity } from '../infra/process-identity.js';
import { livenessOf, type Fence, type HolderInput, type LockHolder, type LockLease } from './store.js';

/**
 * The file store's lock: STATE/locks/<scope>.lock holds the holder, its lease expiry and its fencing
 * token; <scope>.fence holds the scope's last token (never reset, so tokens only grow; each one claimed
 * in <scope>.fence.d). Every change of either, and every fenced journal append, happens inside the
 * scope's fs mutex, and a fenced write checks the token and the holder's run id.
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

export async function acquireFileLock(stateDir: string, scope: string, input: HolderInput, leaseMs: number): Promise<LockLease> {
  const file = lockFileOf(stateDir, scope);
  await mkdir(path.dirname(file), { recursive: true });
  let tookOver: LockLease['tookOver'];
  const holder = await withFsMutex(file, async () => {
    const current = await readLockFile(file);
    const liveness = current && livenessOf(current);
    if (current && liveness && liveness !== 'live') tookOver = { holder: current, why: liveness };
    if (current && liveness === 'live') {
      throw lockHeldBy(scope, current);
    }
    const token = await nextToken(file.slice(0, -'.lock'.length), current?.token ?? 0);
    const h: LockHolder = { ...input, hostId: hostIdentity(), token, expiresAt: new Date(Date.now() + leaseMs).toISOString() };
    await writeFileAtomic(file, JSON.stringify(h));
    return h;
  });
  let latest = holder;
  const fence: Fence = { scope, token: holder.token, runId: holder.runId };
  return {
    ...fence,
    holder,
    tookOver,
    renew: () =>
      withFsMutex(file, async () => {
        await assertFence(file, fence);
        latest = { ...latest, expiresAt: new Date(Date.now() + leaseMs).toISOString() };
        await writeFileAtomic(file, JSON.stringify(latest));
        return latest;
      }),
    release: () =>
      withFsMutex(file, async () => {
        const current = await readLockFile(file);
        if (current?.token === holder.token && current.runId === holder.runId) await rm(file, { force: true });
      }),
  };
}

/**
 * The lock file as last read, by its identity (inode, mtime, size): every journal write checks the fence,
 * and the file changes only at a renewal or a takeover (each writes a new file), so a stat says whether
 * it must be read again.
 */
const lockCache = new Map<string, { readonly key: string; readonly holder: LockHolder | undefined }>();

async function readLockFileCached(file: string): Promise<LockHolder | undefined> {
  const st = await stat(file).catch(() => undefined);
  if (!st) {
    lockCache.delete(file);
    return undefined;
  }
  const key = `${st.ino}:${st.mtimeMs}:${st.size}`;
  const cached = lockCache.get(file);
  if (cached?.key === key) return cached.holder;
  const holder = await readLockFile(file);
  lockCache.set(file, { key, holder });
  return holder;
}

/** Throws FencedOut unless the scope's lock still carries the fence's token and run. Call inside the scope's mutex. */
export async function assertFence(lockFile: string, fence: Fence): Promise<void> {
  const current = await readLockFileCached(lockFile);
  if (current?.token !== fence.token || current.runId !== fence.runId) {
    throw new FencedOut(
      fence.scope,
      fence.token,
      current && { token: current.token, runId: current.runId, holder: `${current.user}@${current.host} pid ${current.pid}` },
    );
  }
}

export const fencedWrite = <T>(stateDir: string, fence: Fence, write: () => Promise<T>): Promise<T> => {
  const file = lockFileOf(stateDir, fence.scope);
  return withFsMutex(file, async () => {
    await assertFence(file, fence);
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

/**
 * The scope's next fencing token: above the counter (BASE.fence) and the lock's current token, and
 * claimed by creating BASE.fence.d/<token> exclusively — so no two acquisitions ever get one token, even
 * if the mutex were broken under a live holder. Claims more than 100 tokens old are pruned.
 */
async function nextToken(base: string, currentToken: number): Promise<number> {
  const claims = `${base}.fence.d`;
  await mkdir(claims, { recursive: true, mode: 0o700 });
  let token = Math.max(await readCounter(`${base}.fence`), currentToken) + 1;
  for (;;) {
    try {
      await (await open(path.join(claims, String(token)), 'wx', 0o600)).close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      token++;
    }
  }
  await writeFileAtomic(`${base}.fence`, `${token}\n`);
  if (token % 100 === 0) {
    for (const f of await readdir(claims)) if (Number(f) < token - 100) await rm(path.join(claims, f), { force: true });
  }
  return token;
}
