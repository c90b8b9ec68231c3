import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/write-file-atomic.js';

/** The folder store's safety controls: STATE_DIR/controls/<name>.json, one small JSON record each. */
const fileOf = (stateDir: string, name: string): string => path.join(stateDir, 'controls', `${encodeURIComponent(name)}.json`);

/** A stored control's JSON, or undefined (none, or unreadable: a control that cannot be read is not there). */
export function parseControl(json: string | null | undefined): unknown {
  if (!json) return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

export async function readControlFile(stateDir: string, name: string): Promise<unknown> {
  try {
    return parseControl(await readFile(fileOf(stateDir, name), 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

export async function writeControlFile(stateDir: string, name: string, value: unknown): Promise<void> {
  const file = fileOf(stateDir, name);
  if (value === undefined) {
    await unlink(file).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    });
    return;
  }
  await writeFileAtomic(file, `${JSON.stringify(value)}\n`, { mkdir: true });
}
