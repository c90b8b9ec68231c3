import { appendFile, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { parseRecord, readJournal } from './journal-read.js';
import type { JournalRecord } from '../model/records.js';

/** Runs a write inside a check (the fencing token) — or as is. */
export type WriteGuard = (write: () => Promise<void>) => Promise<void>;

/** Open for appending; a journal created here is fsync'd with its folder, so the new file itself survives a crash. */
export async function openForAppend(file: string): Promise<FileHandle> {
  try {
    const fh = await open(file, 'ax', 0o600);
    await fh.sync();
    await syncDir(path.dirname(file));
    return fh;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return open(file, 'a', 0o600);
  }
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** What repairTail found at the end of a journal. */
export interface TailRepair {
  /** The bytes of a torn last write, moved aside to FILE.torn (undefined: none). */
  readonly torn: string | undefined;
  /** A complete last record lacked its newline: the newline was added, the record kept. */
  readonly terminated: boolean;
}

/**
 * Before appending to a journal that does not end in a newline: a last line that parses as a record is
 * complete (the process died right before its newline) and is kept — its newline is added; anything else
 * is a torn write (the process died mid-append: that record never durably happened), moved aside to
 * FILE.torn and cut off. Either way the next record starts on a line of its own. Call inside the scope's guard.
 */
export async function repairTail(file: string): Promise<TailRepair> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { torn: undefined, terminated: false };
    throw e;
  }
  if (text === '' || text.endsWith('\n')) return { torn: undefined, terminated: false };
  const keep = text.lastIndexOf('\n') + 1;
  const tail = text.slice(keep);
  const fh = await open(file, 'r+');
  try {
    if (parseRecord(tail) !== undefined) {
      await fh.write('\n', Buffer.byteLength(text));
      await fh.sync();
      return { torn: undefined, terminated: true };
    }
    await appendFile(`${file}.torn`, `${tail}\n`, { mode: 0o600 });
    await fh.truncate(Buffer.byteLength(text.slice(0, keep)));
    await fh.sync();
    return { torn: tail, terminated: false };
  } finally {
    await fh.close();
  }
}

/**
 * An admin record written without a fence (drctl unlock --force), inside `guard` (the scope's mutex, so
 * no fenced writer appends meanwhile): the tail is repaired first, the record gets the next seq.
 */
export async function appendRecordAfterTail(
  file: string,
  guard: WriteGuard,
  make: (seq: number) => JournalRecord,
): Promise<TailRepair & { readonly seq: number }> {
  let out: TailRepair & { readonly seq: number } = { torn: undefined, terminated: false, seq: 0 };
  await guard(async () => {
    const repair = await repairTail(file);
    const { records } = await readJournal(file);
    const seq = records.reduce((m, r) => Math.max(m, r.seq ?? 0), 0) + 1;
    const fh = await openForAppend(file);
    try {
      await fh.write(`${JSON.stringify(make(seq))}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    out = { ...repair, seq };
  });
  return out;
}
