import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of a new file (default 0o600: run records and locks are private). */
  readonly mode?: number;
  /** Create the parent folder first (default false: a missing folder is an error). */
  readonly mkdir?: boolean;
  /** Exactly this mode (not masked by the umask) and, when drctl runs as root, this owner: a replaced file keeps its own. */
  readonly keep?: { readonly mode: number; readonly uid: number; readonly gid: number };
}

/**
 * Replace a file so readers see the old or the new content, never half of it: a uniquely named temp
 * file beside it, fsync, rename over the target, fsync the folder (so the rename itself survives a crash).
 * Used by the state store (run records, locks, fence counters) and the file rules store.
 */
export async function writeFileAtomic(file: string, content: string, o: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  if (o.mkdir) await mkdir(dir, { recursive: true });
  // unique per write: two writes of one file in one process must not share a temp file
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', o.keep?.mode ?? o.mode ?? 0o600);
  try {
    if (o.keep) {
      await fh.chmod(o.keep.mode);
      if (process.getuid?.() === 0) await fh.chown(o.keep.uid, o.keep.gid);
    }
    await fh.writeFile(content);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  await rename(tmp, file);
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
