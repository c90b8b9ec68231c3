import { pino } from 'pino';
import type { Logger } from '../util/logger.js';

/** Where a run's operational log lines go: a file, or a store's list (state/store.ts openRunLog). */
export interface LogSink {
  /** One NDJSON line (with its newline). */
  write(line: string): void;
  /** Everything written is stored. */
  flush(): Promise<void>;
}

export interface RunLogger extends Logger {
  flush(): Promise<void>;
}

/**
 * A sink for a remote store: lines are buffered and handed to `store` in batches without waiting (a log
 * write never slows a step); a batch the store does not take is lost — log lines, never journal records.
 */
export function batchedLogSink(store: (lines: readonly string[]) => Promise<unknown>): LogSink {
  let buffer: string[] = [];
  let pending: Promise<unknown> = Promise.resolve();
  const push = (): void => {
    if (buffer.length === 0) return;
    const lines = buffer;
    buffer = [];
    pending = pending.then(() => store(lines)).catch(() => undefined);
  };
  return {
    write(line) {
      if (buffer.length === 0) setImmediate(push);
      buffer.push(line.endsWith('\n') ? line.slice(0, -1) : line);
    },
    async flush() {
      push();
      await pending;
    },
  };
}

/** A sink that appends to a file synchronously (no worker transport: the last lines survive a short-lived CLI). */
export function fileLogSink(file: string): LogSink {
  const dest = pino.destination({ dest: file, sync: true, mkdir: true });
  return { write: (line) => void dest.write(line), flush: async () => dest.flushSync() };
}

/**
 * A run's operational log: pino NDJSON of what kinds and the engine say that is not an event (a warning
 * from a kind, a retry's reason). The journal is the record of events; this log never repeats them.
 * Never stdout. Secret objects serialize as ***.
 */
export function createRunLogger(sink: LogSink, bindings: Record<string, unknown>, level = 'debug'): RunLogger {
  const base = pino({ level, base: bindings, timestamp: pino.stdTimeFunctions.isoTime }, { write: (line: string) => sink.write(line) });
  return Object.assign(base as unknown as Logger, { flush: () => sink.flush() });
}
