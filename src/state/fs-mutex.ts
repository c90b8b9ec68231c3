import { mkdir, rmdir, stat } from 'node:fs/promises';

const STALE_MUTEX_MS = 2_000;
const WAIT_MS = 5;
const GIVE_UP_MS = 10_000;

/**
 * A short critical section across processes: mkdir is atomic on every local filesystem. Held for a
 * few ms (check a token + append + fsync); a mutex older than 2 s is left over by a killed process
 * and is broken.
 */
export async function withFsMutex<T>(target: string, fn: () => Promise<T>): Promise<T> {
  const dir = `${target}.mutex`;
  const deadline = Date.now() + GIVE_UP_MS;
  for (;;) {
    try {
      await mkdir(dir);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const st = await stat(dir).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > STALE_MUTEX_MS) {
        await rmdir(dir).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw new Error(`could not enter ${dir} within ${GIVE_UP_MS} ms`);
      await new Promise((r) => setTimeout(r, WAIT_MS));
    }
  }
  try {
    return await fn();
  } finally {
    await rmdir(dir).catch(() => undefined);
  }
}
