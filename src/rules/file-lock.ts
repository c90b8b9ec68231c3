import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Replace a file so readers see the old or the new content, never half: temp + fsync + rename + fsync dir. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

export interface LockOptions {
  readonly waitMs?: number;
  /** A lock file older than this is left over from a crashed writer and is taken over. */
  readonly staleMs?: number;
}

/** Run `fn` holding an exclusive lock file (O_EXCL create); waits up to waitMs for another holder. */
export async function withLockFile<T>(lockFile: string, fn: () => Promise<T>, o: LockOptions = {}): Promise<T> {
  const deadline = Date.now() + (o.waitMs ?? 5000);
  await mkdir(path.dirname(lockFile), { recursive: true });
  for (;;) {
    try {
      const fh = await open(lockFile, 'wx');
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = await stat(lockFile).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > (o.staleMs ?? 30_000)) await unlink(lockFile).catch(() => undefined);
      else if (Date.now() > deadline) throw new Error(`rules store is locked by another writer: ${lockFile}`);
      else await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lockFile).catch(() => undefined);
  }
}
