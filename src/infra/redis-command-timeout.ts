import type { Command } from 'ioredis';
import { silenceTimer } from '../util/silence-timer.js';

const PATCHED = Symbol.for('drctl.redisCommandTimeout');

interface TimedCommand {
  isSettled: boolean;
  reject: (err: Error) => void;
  _commandTimeoutTimer?: NodeJS.Timeout;
}

/**
 * ioredis (6.0.0, pinned) arms `commandTimeout` with a plain timer: a drctl stopped or starved past the
 * limit woke, ran the timer first and failed a command whose reply sat unread in its socket ("fence
 * failed: Command timed out" from a flip thawed after SIGSTOP: CI, stop 22). Here the limit is a
 * silenceTimer, so the reply already received is read first. The handle keeps ioredis's own field, so its
 * clear-on-reply (_clearTimers) still cancels it. Done once per process (loadIoredis).
 */
export function patchCommandTimeout(CommandClass: typeof Command): void {
  const proto = CommandClass.prototype as unknown as { setTimeout(ms: number): void; [PATCHED]?: true };
  if (proto[PATCHED]) return;
  proto[PATCHED] = true;
  proto.setTimeout = function (this: TimedCommand, ms: number): void {
    this._commandTimeoutTimer ??= silenceTimer(ms, () => {
      if (!this.isSettled) this.reject(new Error('Command timed out'));
    });
  };
}
