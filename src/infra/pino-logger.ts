import { pino } from 'pino';
import type { Logger } from '../util/logger.js';

export interface FileLogger extends Logger {
  flush(): void;
}

/**
 * The per-run audit log: pino NDJSON written synchronously to a file in the run's folder (no worker
 * transport, so the last lines survive a short-lived CLI). Never stdout. Secret objects serialize as ***.
 */
export function createFileLogger(file: string, bindings: Record<string, unknown>, level = 'debug'): FileLogger {
  const dest = pino.destination({ dest: file, sync: true, mkdir: true });
  const base = pino({ level, base: bindings, timestamp: pino.stdTimeFunctions.isoTime }, dest);
  return Object.assign(base as unknown as Logger, { flush: () => dest.flushSync() });
}
