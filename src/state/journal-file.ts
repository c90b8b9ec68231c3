import type { FileHandle } from 'node:fs/promises';
import { openForAppend, repairTail, type WriteGuard } from './journal-tail.js';
import type { JournalRecord } from '../model/records.js';

export type { JournalRead } from './store.js';
export { parseJournalText, readJournal } from './journal-read.js';
export { appendRecordAfterTail, repairTail, type TailRepair, type WriteGuard } from './journal-tail.js';

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
  private constructor(
    readonly file: string,
    private readonly guard: WriteGuard,
  ) {}

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
    if (!this.#flushing && !this.#timer && this.#pending.length > 0)
      this.#timer = setTimeout(() => this.#flushNow(), LAZY_FLUSH_MS).unref();
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
