import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, readFile, rm, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import os from 'node:os';
import { ownerGone } from './owner.js';
import { hostIdentity } from './process-identity.js';

/** A mutex whose owner cannot be checked (another host, or no owner recorded) is broken only after this. */
const STALE_MS = 30_000;
const WAIT_MS = 5;
const GIVE_UP_MS = 45_000;

export interface MutexOwner {
  readonly pid: number;
  readonly host: string;
  readonly hostId: string | undefined;
  readonly nonce: string;
}

interface Seen {
  readonly owner: MutexOwner | undefined;
  readonly ino: number;
  readonly mtimeMs: number;
}

/**
 * A short critical section across processes (check a token + append + fsync: milliseconds). TARGET.mutex
 * is created by link(2) from a file already holding its owner (pid, host, host identity, nonce), so it
 * never exists without one. A mutex is broken only when it is abandoned: its owner's process is gone on
 * this very host (same host identity), or — owner on another host or unknown — it is older than 30 s.
 * Breakers take TARGET.mutex.breaking first and re-check under it, so two waiters after a SIGKILL
 * cannot both break (and one remove the other's fresh mutex).
 */
export async function withFsMutex<T>(target: string, fn: () => Promise<T>): Promise<T> {
  const path = `${target}.mutex`;
  const release = await acquire(path, (seen) => breakUnderBreaker(path, seen));
  try {
    return await fn();
  } finally {
    await release();
  }
}

let sequence = 0;

async function acquire(path: string, breakAbandoned: (seen: Seen) => Promise<void>): Promise<() => Promise<void>> {
  const me: MutexOwner = {
    pid: process.pid,
    host: os.hostname(),
    hostId: hostIdentity(),
    nonce: `${process.pid}-${nonceBase}-${++sequence}`,
  };
  const mine = `${path}.${me.nonce}.tmp`;
  const made = await writeOwnerFile(mine, me);
  const deadline = Date.now() + GIVE_UP_MS;
  try {
    for (;;) {
      try {
        await link(mine, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const seen = await inspect(path);
      if (seen && abandoned(seen)) {
        await breakAbandoned(seen);
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(
          `could not enter ${path} within ${GIVE_UP_MS} ms${seen?.owner ? ` (held by pid ${seen.owner.pid} on ${seen.owner.host})` : ''}`,
        );
      await new Promise((r) => setTimeout(r, WAIT_MS));
    }
  } finally {
    await unlink(mine).catch(() => undefined);
  }
  // ours while TARGET.mutex is still the file we linked: same inode and mtime (a broken and re-made
  // mutex is a new file); a stat instead of reading the owner back (the hot path: every journal write)
  return async () => {
    const st = await lstat(path).catch(() => undefined);
    if (st && st.ino === made.ino && st.mtimeMs === made.mtimeMs) await unlink(path).catch(() => undefined);
  };
}

/** Random per process, so nonces of two processes never meet (pids are reused); a counter within it. */
const nonceBase = randomBytes(4).toString('hex');

/** The owner file, created exclusively; its inode and mtime identify the mutex once linked. */
async function writeOwnerFile(file: string, owner: MutexOwner): Promise<{ ino: number; mtimeMs: number }> {
  let fh;
  try {
    fh = await open(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    await mkdir(dirname(file), { recursive: true, mode: 0o700 }); // a fresh state folder has no locks/ yet
    fh = await open(file, 'wx', 0o600);
  }
  try {
    await fh.writeFile(JSON.stringify(owner));
    const st = await fh.stat();
    return { ino: st.ino, mtimeMs: st.mtimeMs };
  } finally {
    await fh.close();
  }
}

/** Break an abandoned mutex under the breaker mutex, and only if it is still the one judged abandoned. */
async function breakUnderBreaker(path: string, seen: Seen): Promise<void> {
  const release = await acquire(`${path}.breaking`, async (stale) => {
    // a breaker died mid-break (a few ms of work): remove its breaker mutex if it is still that one
    if (same(await inspect(`${path}.breaking`), stale)) await rm(`${path}.breaking`, { force: true, recursive: true });
  });
  try {
    if (same(await inspect(path), seen)) await rm(path, { force: true, recursive: true });
  } finally {
    await release();
  }
}

const abandoned = (seen: Seen): boolean => mutexAbandoned(seen.owner, seen.mtimeMs, Date.now());

/** Abandoned: its owner's process is gone on this machine, or (owner elsewhere or unknown) it is older than 30 s. */
export function mutexAbandoned(owner: MutexOwner | undefined, mtimeMs: number, nowMs: number): boolean {
  if (owner && ownerGone(owner) !== undefined) return true;
  return nowMs - mtimeMs > STALE_MS;
}

const same = (a: Seen | undefined, b: Seen): boolean =>
  a !== undefined && a.ino === b.ino && (a.owner?.nonce ?? '') === (b.owner?.nonce ?? '');

/** The mutex's owner (undefined for a folder left by an older drctl), or undefined when there is none. */
async function inspect(path: string): Promise<Seen | undefined> {
  let st;
  try {
    st = await lstat(path);
  } catch {
    return undefined;
  }
  let owner: MutexOwner | undefined;
  if (st.isFile()) {
    try {
      owner = JSON.parse(await readFile(path, 'utf8')) as MutexOwner;
    } catch {
      owner = undefined;
    }
  }
  return { owner, ino: st.ino, mtimeMs: st.mtimeMs };
}
