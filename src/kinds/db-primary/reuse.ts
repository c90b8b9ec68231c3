import type pg from 'pg';
import type { KindContext } from '../../model/kind.js';
import { closePgClient } from '../../util/pg-close.js';

/**
 * Connections a step attempt keeps open to its members between its phases (observe, apply, verify's
 * polls): a new PostgreSQL connection costs a forked backend and the authentication (26 ms at load 4,
 * up to 100 ms at load 8 on the lab machine), a query on an open one about 1 ms. One idle client per
 * member endpoint and attempt (the KindContext: one is made per attempt). A client is put back only after
 * its call succeeded; one that failed, was aborted, or whose server closed it ('error', 'end') is closed
 * and never handed out again. A client in use is out of the cache: two concurrent callers never share one.
 * Idle clients close after IDLE_MS, or at once when the attempt's signal aborts; while idle, neither their
 * socket nor their timer keeps the process alive. IDLE_MS spans an attempt's longer gaps on a busy machine
 * (a fence, pg_rewind and a restart between the CHECKPOINT and verify's first poll took over 1 s at load 11).
 */
export const IDLE_MS = 5000;

interface Idle {
  readonly client: pg.Client;
  readonly timer: NodeJS.Timeout;
}

const pools = new WeakMap<KindContext, Map<string, Idle>>();
/** A context derived from an attempt's (its own signal) shares the attempt's clients. */
const attempts = new WeakMap<KindContext, KindContext>();
const attemptOf = (ctx: KindContext): KindContext => attempts.get(ctx) ?? ctx;

/** `derived` (the attempt's context with a shorter signal) uses the attempt's open clients; returns it. */
export function sameAttempt(derived: KindContext, of: KindContext): KindContext {
  attempts.set(derived, attemptOf(of));
  return derived;
}

const dead = new WeakSet<pg.Client>();
const whenGone = new WeakMap<pg.Client, () => void>();

type Socket = { ref?(): void; unref?(): void };
const socketOf = (c: pg.Client): Socket | undefined => (c as unknown as { connection?: { stream?: Socket } }).connection?.stream;

/** Mark the client unusable once its connection errs or ends (the server restarted, or closed it). */
export function watchClient(client: pg.Client): void {
  const drop = (): void => {
    dead.add(client);
    whenGone.get(client)?.();
  };
  client.on('error', drop);
  client.on('end', drop);
}

function poolOf(derived: KindContext): Map<string, Idle> {
  const ctx = attemptOf(derived);
  let pool = pools.get(ctx);
  if (!pool) {
    const created = new Map<string, Idle>();
    pool = created;
    pools.set(ctx, created);
    ctx.signal.addEventListener(
      'abort',
      () => {
        for (const key of [...created.keys()]) discard(created, key);
      },
      { once: true },
    );
  }
  return pool;
}

function discard(pool: Map<string, Idle>, key: string): void {
  const idle = pool.get(key);
  if (!idle) return;
  pool.delete(key);
  clearTimeout(idle.timer);
  whenGone.delete(idle.client);
  closePgClient(idle.client);
}

/** The attempt's open client to this endpoint, taken out of the cache (the caller owns it now), if any still usable. */
export function takeClient(ctx: KindContext, key: string): pg.Client | undefined {
  const pool = pools.get(attemptOf(ctx));
  const idle = pool?.get(key);
  if (!pool || !idle) return undefined;
  pool.delete(key);
  clearTimeout(idle.timer);
  whenGone.delete(idle.client);
  if (dead.has(idle.client) || ctx.signal.aborted) {
    closePgClient(idle.client);
    return undefined;
  }
  socketOf(idle.client)?.ref?.();
  return idle.client;
}

/** A client whose call succeeded goes back for the attempt's next call (or is closed: one is kept per endpoint). */
export function putClient(ctx: KindContext, key: string, client: pg.Client): void {
  if (dead.has(client) || ctx.signal.aborted) return closePgClient(client);
  const pool = poolOf(ctx);
  if (pool.has(key)) return closePgClient(client);
  const timer = setTimeout(() => {
    if (pool.get(key)?.client === client) discard(pool, key);
  }, IDLE_MS);
  timer.unref();
  socketOf(client)?.unref?.();
  pool.set(key, { client, timer });
  // closed by the server while idle: gone at once (a later call connects afresh)
  whenGone.set(client, () => {
    if (pool.get(key)?.client === client) discard(pool, key);
  });
}
