/** The signals that ask a run to stop: Ctrl-C, a kill / cron timeout / systemd stop, a closed terminal. */
const TRAPPED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * SIGINT/SIGTERM/SIGHUP during a run: the first stops new steps (running ones finish and are journaled),
 * the second cancels running steps. SIGHUP (the terminal was closed) counts like SIGTERM: a rehearsal
 * must still restore its fault and fail back, so the process must not die of it; writes to the closed
 * terminal may fail from then on and are ignored. Returns the two signals and a dispose function.
 */
export function trapInterrupts(onFirst: (signal: string) => void): { stop: AbortSignal; abort: AbortSignal; dispose: () => void } {
  const stop = new AbortController();
  const abort = new AbortController();
  const handler = (signal: NodeJS.Signals): void => {
    if (signal === 'SIGHUP') ignoreWriteErrors();
    if (!stop.signal.aborted) {
      stop.abort(signal);
      onFirst(signal);
    } else {
      abort.abort(signal);
    }
  };
  for (const s of TRAPPED) process.on(s, handler);
  return {
    stop: stop.signal,
    abort: abort.signal,
    dispose: () => {
      for (const s of TRAPPED) process.off(s, handler);
    },
  };
}

const ignore = (): void => undefined;

/** A hung-up terminal answers writes with EIO/EPIPE: that must not end the clean-up. */
function ignoreWriteErrors(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (!stream.listeners('error').includes(ignore)) stream.on('error', ignore);
  }
}
