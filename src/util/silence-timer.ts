/**
 * A time limit that counts the other side's silence, not our own stall.
 *
 * Node runs due timers before it reads its sockets. A process that was stopped (SIGSTOP, a paused VM, a
 * long GC) or starved of CPU on a loaded machine wakes with its timers overdue and the answers it was
 * waiting for already in its sockets: a plain timer calls the request "timed out" although the server
 * answered in time. This timer, when it fires, first lets the event loop read what has arrived (its poll
 * phase, twice) and only then calls `fn`. clearTimeout on the handle cancels it before it fires; after,
 * `fn` must do nothing for a request settled meanwhile (every caller checks its own settled state).
 * A real timeout costs two loop turns more.
 */
export function silenceTimer(ms: number, fn: () => void): NodeJS.Timeout {
  return setTimeout(() => setImmediate(() => setImmediate(fn)), ms);
}
