import { appendFile, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
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
 * it. A torn last line (crash mid-write) is detected on read and repaired (repairTail) before the next append.
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
    await guard(async () => void (await repairTail(file)));
    j.#fh = await openForAppend(file);
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

/** Open for appending; a journal created here is fsync'd with its folder, so the new file itself survives a crash. */
async function openForAppend(file: string): Promise<FileHandle> {
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
export async function appendRecordAfterTail(file: string, guard: WriteGuard, make: (seq: number) => JournalRecord): Promise<TailRepair & { readonly seq: number }> {
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

/** A missing journal reads as `missing` (never silently as an empty one); other read errors throw. */
export async function readJournal(file: string): Promise<JournalRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], corrupt: undefined, missing: true };
    throw e;
  }
  return parseJournalText(text);
}

/** One journal line → its record, or undefined when it is not a complete JSON record. */
function parseRecord(line: string): JournalRecord | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    return v !== null && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string' ? (v as JournalRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * NDJSON → records; unparsable lines are reported. A last line without its newline is kept when it is a
 * complete record (the newline is added before the next append); when it is not, it is a torn write.
 */
export function parseJournalText(text: string): JournalRead {
  const lines = text.split('\n');
  const records: JournalRecord[] = [];
  const bad: number[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const r = parseRecord(line);
    if (r) records.push(r);
    else bad.push(i + 1);
  });
  const lastNonEmpty = lines.reduce((acc, l, i) => (l.trim() === '' ? acc : i + 1), 0);
  const corrupt = bad.length === 0 ? undefined : { lines: bad, tornTail: bad.length === 1 && bad[0] === lastNonEmpty && !text.endsWith('\n') };
  return { records, corrupt, missing: false };
}
