import { parseDuration } from '../../util/duration.js';
import type { KindContext } from '../../model/kind.js';
import type { RedisTarget } from './client.js';
import type { RedisFailoverParams } from './params.js';

export const DEFAULT_NODE_TIMEOUT_MS = 1000;

export const nodeTimeoutMs = (p: RedisFailoverParams): number =>
  p.nodeTimeout === undefined ? DEFAULT_NODE_TIMEOUT_MS : (parseDuration(p.nodeTimeout) ?? DEFAULT_NODE_TIMEOUT_MS);

/** Servers (per step attempt) that were sent a password they do not require. */
const unneeded = new WeakMap<KindContext, Set<string>>();

/** Recorded with the step (note `passwordNotRequired`), never printed: the password is harmless but a sign of a wrong setup. */
function notePasswordUnused(ctx: KindContext, addr: string): void {
  const seen = unneeded.get(ctx) ?? new Set<string>();
  unneeded.set(ctx, seen);
  if (seen.has(addr)) return;
  seen.add(addr);
  ctx.log.warn({ addr }, 'a password is configured but the server requires none');
  ctx.note('passwordNotRequired', [...seen].sort());
}

/** How to reach one of the group's Redis nodes (its `password`). */
export function nodeTarget(p: RedisFailoverParams, addr: string, ctx: KindContext, timeoutMs = nodeTimeoutMs(p)): RedisTarget {
  return { addr, password: p.password, timeoutMs, signal: ctx.signal, onPasswordUnused: (a) => notePasswordUnused(ctx, a) };
}

/** How to reach one sentinel (its `sentinelPassword`). */
export function sentinelTarget(p: RedisFailoverParams, addr: string, ctx: KindContext, timeoutMs = nodeTimeoutMs(p)): RedisTarget {
  return { addr, password: p.sentinelPassword, timeoutMs, signal: ctx.signal, onPasswordUnused: (a) => notePasswordUnused(ctx, a) };
}
