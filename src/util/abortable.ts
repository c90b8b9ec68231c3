import { timerDelay } from './duration.js';

/**
 * Settle with `work`, or reject with the signal's reason `graceMs` after the signal aborts (at once by
 * default), whichever comes first. The work itself is not stopped: its own cleanup follows the signal
 * in the background, and a late failure of it is not news. For client calls whose own way of giving up
 * can hang (pg's connect() once end() was called, a socket half-open to a frozen server): they never
 * hold a step past its deadline. `graceMs` lets work that cleans up after an abort (lifting a fence on a
 * live server) finish, while a frozen server still cannot hold it longer than that.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal, graceMs = 0): Promise<T> {
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const give = (): void => {
      if (graceMs <= 0) reject(signal.reason);
      else timer = setTimeout(() => reject(signal.reason), timerDelay(graceMs));
    };
    const done = (): void => {
      signal.removeEventListener('abort', give);
      clearTimeout(timer);
    };
    if (signal.aborted) give();
    else signal.addEventListener('abort', give, { once: true });
    work.then(
      (v) => {
        done();
        resolve(v);
      },
      (e: unknown) => {
        done();
        reject(e);
      },
    );
  });
}
