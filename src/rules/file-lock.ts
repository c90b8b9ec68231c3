import { mkdir, open, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

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
      else if (Date.now() > deadline) throw new Error(`rules store is locked by another writer: ${lockFile}`, { cause: e });
      else await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lockFile).catch(() => undefined);
  }
}
