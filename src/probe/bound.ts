import { timerDelay } from '../util/duration.js';
import { silenceTimer } from '../util/silence-timer.js';
import { errorOutcome, type ProbeOutcome } from './outcome.js';

/**
 * Race a sample against its time limit and the abort signal: drivers (ioredis, pg) can take seconds
 * to give up on a frozen server whatever their own timeouts say. `cleanup` always runs (close the client).
 */
export async function bounded(
  work: Promise<ProbeOutcome>,
  timeoutMs: number,
  signal: AbortSignal,
  /** What was being asked, read when the limit passes (a probe may learn its target on the way). */
  where: string | (() => string),
  cleanup: () => void,
): Promise<ProbeOutcome> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const bound = new Promise<ProbeOutcome>((resolve) => {
    timer = silenceTimer(timerDelay(timeoutMs), () =>
      resolve(errorOutcome(`${typeof where === 'string' ? where : where()}: no answer within ${timeoutMs}ms`)),
    );
    onAbort = () => resolve(errorOutcome(`${typeof where === 'string' ? where : where()}: aborted`));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, bound]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
    work.catch(() => undefined);
    cleanup();
  }
}
