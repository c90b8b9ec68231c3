/**
 * SIGINT/SIGTERM during a run: the first stops new steps (running ones finish and are journaled),
 * the second cancels running steps. Returns the two signals and a dispose function.
 */
export function trapInterrupts(onFirst: (signal: string) => void): { stop: AbortSignal; abort: AbortSignal; dispose: () => void } {
  const stop = new AbortController();
  const abort = new AbortController();
  const handler = (signal: NodeJS.Signals): void => {
    if (!stop.signal.aborted) {
      stop.abort(signal);
      onFirst(signal);
    } else {
      abort.abort(signal);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    stop: stop.signal,
    abort: abort.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
