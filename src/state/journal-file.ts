import { appendFile, open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import type { JournalRecord } from './records.js';
import type { JournalRead } from './store.js';

export type { JournalRead } from './store.js';

/** Runs a write inside a check (the fencing token) — or as is. */
export type WriteGuard = (write: () => Promise<void>) => Promise<void>;

/** How long a lazy record may wait for the next durable one before it is written on its own. */
const LAZY_FLUSH_MS = 100;

/**
 * Append-only NDJSON journal: one record per line, fsync'd before append() resolves, each write inside
 * the guard (the file store checks the fencing token there). Group commit: appends that arrive while a
 * write is in flight (steps run in parallel) are written together, in order, with one guard check and
 * one fsync, and all resolve after that fsync — never before their line is on disk. A lazy append
 * (progress) waits for the next durable one, or LAZY_FLUSH_MS. A failed batch rejects every append in
 * it. A torn last line (crash mid-write) is detected on read.
 */
export class FileJournal {
  #fh: FileHandle | undefined;
  #pending: { line: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Pending records somebody waits for (not lazy). */
  #urgent = 0;
  private constructor(readonly file: string, private readonly guard: WriteGuard) {}

  static async open(file: string, guard: WriteGuard = (w) => w()): Promise<FileJournal> {
    const j = new FileJournal(file, guard);
    await guard(() => cutTornTail(file));
    j.#fh = await open(file, 'a', 0o600);
    return j;
  }

  append(record: JournalRecord, options: { readonly lazy?: boolean } = {}): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const done = new Promise<void>((resolve, reject) => this.#pending.push({ line, resolve, reject }));
    if (options.lazy) this.#flushSoon();
    else {
      this.#urgent++;
      this.#flushNow();
    }
    return done;
  }

  #flushSoon(): void {
    if (!this.#flushing && !this.#timer && this.#pending.length > 0) this.#timer = setTimeout(() => this.#flushNow(), LAZY_FLUSH_MS).unref();
  }

  #flushNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length > 0) this.#flushing ??= this.#flush();
  }

  /** Write batches while a record is waited for: each batch is one write + one fsync inside one guard. */
  async #flush(): Promise<void> {
    for (let first = true; first || this.#urgent > 0; first = false) {
      const batch = this.#pending.splice(0);
      this.#urgent = 0;
      try {
        await this.guard(async () => {
          if (!this.#fh) throw new Error('journal closed');
          await this.#fh.write(batch.map((b) => b.line).join(''));
          await this.#fh.sync();
        });
        for (const b of batch) b.resolve();
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
    this.#flushing = undefined;
    this.#flushSoon(); // lazy records that came during the last write
  }

  async close(): Promise<void> {
    while (this.#flushing || this.#pending.length > 0) {
      this.#flushNow();
      await this.#flushing;
    }
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
