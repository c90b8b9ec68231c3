import type { JournalRecord } from '../model/records.js';
import type { JournalWriter } from './store.js';

/** How long a lazy record may wait for the next durable one before it is written on its own. */
const LAZY_FLUSH_MS = 100;
/** Records per write: etcd refuses a transaction of more than 128 operations (--max-txn-ops). */
export const MAX_BATCH = 100;

/**
 * Group commit for a remote journal (as FileJournal does for the folder): appends that arrive while a
 * write is in flight are written together, in order, by one `writeBatch` (one fenced transaction); a
 * lazy append (progress) waits for the next durable one, or LAZY_FLUSH_MS. Every append resolves only
 * after its batch is written; a failed batch rejects every append in it, and later batches still run
 * in order (each is fenced again, so nothing lands after the fence is lost).
 */
export function createBatchJournal(writeBatch: (records: readonly JournalRecord[]) => Promise<void>): JournalWriter {
  let pending: { record: JournalRecord; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let urgent = 0;
  let flushing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const flushSoon = (): void => {
    if (!flushing && !timer && pending.length > 0) timer = setTimeout(flushNow, LAZY_FLUSH_MS).unref();
  };
  function flushNow(): void {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length > 0) flushing ??= flush();
  }
  const flush = async (): Promise<void> => {
    for (let first = true; first || urgent > 0; first = false) {
      const batch = pending.splice(0, MAX_BATCH);
      urgent = pending.length > 0 ? 1 : 0;
      try {
        await writeBatch(batch.map((b) => b.record));
        for (const b of batch) b.resolve();
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
    flushing = undefined;
    flushSoon();
  };
  return {
    append(record, options = {}) {
      const done = new Promise<void>((resolve, reject) => pending.push({ record, resolve, reject }));
      if (options.lazy) flushSoon();
      else {
        urgent++;
        flushNow();
      }
      return done;
    },
    async close() {
      while (flushing || pending.length > 0) {
        flushNow();
        await flushing;
      }
      pending = [];
    },
  };
}
