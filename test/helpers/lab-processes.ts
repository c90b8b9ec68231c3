import { readPidFile, stopPid } from '../../src/lab/process.js';
import { isPortFree } from '../../src/lab/ports.js';

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

/** A base port whose lab offsets (0..70) are all free on loopback (TCP, and UDP for DNS). */
export async function freeBasePort(span = 70): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 30_000 + Math.floor(Math.random() * 2_500) * 10;
    let ok = true;
    for (let p = base; p <= base + span && ok; p++) ok = await isPortFree(p, true);
    if (ok) return base;
  }
  throw new Error('no free range of lab ports found');
}
