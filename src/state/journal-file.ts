import { appendFile, open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import type { JournalRecord } from './records.js';
import type { JournalRead } from './store.js';

export type { JournalRead } from './store.js';

/** Runs a write inside a check (the fencing token) — or as is. */
export type WriteGuard = (write: () => Promise<void>) => Promise<void>;

/**
 * Append-only NDJSON journal: one record per line, fsync'd before append() resolves, appends
 * serialized (steps run in parallel), each inside the guard (the file store checks the fencing token
 * there). A torn last line (crash mid-write) is detected on read.
 */
export class FileJournal {
  #fh: FileHandle | undefined;
  #queue: Promise<void> = Promise.resolve();
  private constructor(readonly file: string, private readonly guard: WriteGuard) {}

  static async open(file: string, guard: WriteGuard = (w) => w()): Promise<FileJournal> {
    const j = new FileJournal(file, guard);
    await guard(() => cutTornTail(file));
    j.#fh = await open(file, 'a', 0o600);
    return j;
  }

  append(record: JournalRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const next = this.#queue.then(() => this.guard(async () => {
      if (!this.#fh) throw new Error('journal closed');
      await this.#fh.write(line);
      await this.#fh.sync();
    }));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.#fh?.close();
    this.#fh = undefined;
  }
}

/**
 * A journal not ending in a newline ends in a torn write (the process died mid-append): that record never
 * durably happened. Before appending again, move those bytes aside (FILE.torn) and cut them off, so the
 * next record starts on a line of its own.
 */
async function cutTornTail(file: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return;
  }
  if (text === '' || text.endsWith('\n')) return;
  const keep = text.lastIndexOf('\n') + 1;
  await appendFile(`${file}.torn`, `${text.slice(keep)}\n`, { mode: 0o600 });
  await truncate(file, Buffer.byteLength(text.slice(0, keep)));
}

export async function readJournal(file: string): Promise<JournalRead> {
  return parseJournalText(await readFile(file, 'utf8'));
}

/** NDJSON → records; unparsable lines are reported, and a bad last line without a newline is a torn write. */
export function parseJournalText(text: string): JournalRead {
  const lines = text.split('\n');
  const records: JournalRecord[] = [];
  const bad: number[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line) as JournalRecord);
    } catch {
      bad.push(i + 1);
    }
  });
  const lastNonEmpty = lines.reduce((acc, l, i) => (l.trim() === '' ? acc : i + 1), 0);
  const corrupt = bad.length === 0 ? undefined : { lines: bad, tornTail: bad.length === 1 && bad[0] === lastNonEmpty && !text.endsWith('\n') };
  return { records, corrupt };
}
