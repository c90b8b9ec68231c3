import { isFencedOut } from './errors.js';
import type { LockLease } from './store.js';

/**
 * Renew the lease every lease/3 while the run lives. Losing the lock (FencedOut) calls onLost at once;
 * other renewal errors (store unreachable) are left to the next journal append to report.
 */
export function keepLease(lease: LockLease, leaseMs: number, onLost: (e: unknown) => void): { stop(): void } {
  let busy = false;
  const timer = setInterval(
    () => {
      if (busy) return;
      busy = true;
      lease.renew().then(
        () => (busy = false),
        (e: unknown) => {
          busy = false;
          if (isFencedOut(e)) onLost(e);
        },
      );
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
