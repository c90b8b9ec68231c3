import { readPidFile, stopPid } from '../../src/lab/process.js';
import { pickFreeBasePort } from '../../src/lab/ports.js';

/** Every server a test file starts, stopped by pid in afterAll (pid files win: postgres restarts change the pid). */
export function processTracker() {
  const entries: { pid: number; signal: NodeJS.Signals; pidFile?: string }[] = [];
  return {
    add(pid: number, signal: NodeJS.Signals = 'SIGTERM', pidFile?: string): void {
      entries.push({ pid, signal, ...(pidFile === undefined ? {} : { pidFile }) });
    },
    async stopAll(): Promise<void> {
      await Promise.all(
        entries.splice(0).map(async (e) => {
          const live = e.pidFile ? await readPidFile(e.pidFile) : undefined;
          if (live !== undefined && live !== e.pid) await stopPid(live, e.signal, 3000);
          await stopPid(e.pid, e.signal, 3000);
        }),
      );
    },
  };
}

/** A base port whose lab offsets are all free, below the ephemeral range (src/lab/ports.ts). */
export const freeBasePort = (): Promise<number> => pickFreeBasePort();
