import { setTimeout as delay } from 'node:timers/promises';
import type { Etcd3 } from 'etcd3';

/**
 * An etcd lease kept alive while a run lives, and the proof that it still is. Every TTL/3 (at most every
 * second) one keepalive goes to every member, each on its own connection, one try, with a deadline of at
 * least a second. Until one is acknowledged, every member is asked again every 250 ms with a fresh call,
 * without waiting for the calls still open: a follower forwards a renewal to the leader it knows, and
 * when that leader is frozen the call hangs until its deadline even after a new leader is elected (etcd
 * 3.4) — only a call sent after the election is answered. A frozen or cut member therefore costs nothing
 * while a majority answers. The lease is counted from the moment an acknowledged keepalive was *sent*
 * (etcd keeps it at least TTL from then). When no member acknowledged one until TTL minus a margin,
 * `lapsed` aborts with the error `unreachable()` makes. How long a lease must be for this to hold across
 * an election: ETCD_MIN_LEASE_MS (state/store-url.ts).
 *
 * A member answering TTL 0 means the lease is gone. If that happens while the lease is proven alive
 * (before TTL minus the margin), etcd broke its promise: etcd before 3.4.31 / 3.5.13 lets a leader that
 * was paused (SIGSTOP, a stalled VM) longer than a lease revoke it when it resumes, although the new
 * leader renewed it (etcd issue 15247). Then the lease is *recovered*: a new lease is granted and
 * `reclaim()` binds the lock's keys to it in one transaction, only if nobody took the lock in between.
 * Otherwise (and when reclaiming fails) `lapsed` aborts with the error `gone()` makes (fenced out, naming
 * who holds the lock now). Either way the holder stops acting before etcd could give the lock to anyone
 * else. The client's own keepalive is not used: its 'lost' event comes only after the network is back
 * (lab.md), and its stream can stay on a silent member.
 */
export interface EtcdLease {
  /** The lease the lock's keys are bound to (a new one after a recovery). */
  id(): string;
  readonly ttlMs: number;
  /** Local clock: the lease lives at least until then. */
  provenUntil(): number;
  /** Aborted (reason: the error) once this process can no longer prove the lease alive. */
  readonly lapsed: AbortSignal;
  /** The lock's keys are gone: recover them if the lease was proven alive and nobody took the lock (else lapse). */
  recover(): Promise<boolean>;
  /** Stop the keepalives (the lease then runs out by itself unless revoked). */
  stop(): void;
  /** Stop and tell etcd to end the lease now (best effort). */
  revoke(): Promise<void>;
}

export interface LeaseHooks {
  /** The lease is gone: the error to stop with (fenced out, naming the lock's current holder). */
  gone(): Promise<Error>;
  /** No member acknowledged a keepalive in time. */
  unreachable(cause: unknown): Error;
  /** Bind the lock's keys to this new lease if the lock is still free and still this holder's (one transaction). */
  reclaim(leaseId: string): Promise<boolean>;
}

/** How long before the proven end of the lease the holder stops acting: TTL/5, 0.5 to 3 s. */
export const leaseMarginMs = (ttlMs: number): number => Math.min(3_000, Math.max(500, Math.floor(ttlMs / 5)));
const RETRY_MS = 250;
/** Open keepalive calls per member at most (a frozen member's calls end at their deadline). */
const MAX_OPEN = 8;
/** No sub-second deadline: a loaded machine misses it (and a follower needs an election's time to answer). */
const MIN_CALL_MS = 1_000;

/**
 * Grant a lease through `client` and keep it alive through `members` (one single-try client per member).
 * `callTimeoutMs`: the deadline of one keepalive (at least a second).
 */
export async function grantLease(
  client: Etcd3,
  members: readonly Etcd3[],
  ttlSeconds: number,
  callTimeoutMs: number,
  hooks: LeaseHooks,
): Promise<EtcdLease> {
  const first = await grant(client, ttlSeconds).catch((e: unknown) => Promise.reject(hooks.unreachable(e)));
  const ttlMs = first.ttlMs;
  const margin = leaseMarginMs(ttlMs);
  const interval = Math.min(1_000, Math.floor(ttlMs / 3));
  const callMs = Math.max(MIN_CALL_MS, callTimeoutMs);
  let id = first.id;
  let provenUntil = first.sent + ttlMs;
  let lastAckSent = first.sent;
  let due = first.sent + interval;
  let lastError: unknown = new Error('no member answered');
  let stopped = false;
  let recovering: Promise<boolean> | undefined;
  const open = new Map<Etcd3, number>();
  const lapsed = new AbortController();
  const wake = new AbortController();
  const finish = (reason: unknown): void => {
    stopped = true;
    wake.abort();
    if (!lapsed.signal.aborted) lapsed.abort(reason);
  };
  const revokeId = (leaseId: string): Promise<void> =>
    client.leaseClient.leaseRevoke({ ID: leaseId }).then(
      () => undefined,
      () => undefined,
    );

  const recover = (): Promise<boolean> =>
    (recovering ??= (async () => {
      try {
        if (stopped) return false;
        if (Date.now() < provenUntil - margin) {
          const fresh = await grant(client, ttlSeconds).catch(() => undefined);
          if (fresh) {
            const ok = await hooks.reclaim(fresh.id).catch(() => false);
            if (ok && !stopped) {
              const old = id;
              id = fresh.id;
              provenUntil = fresh.sent + fresh.ttlMs;
              lastAckSent = fresh.sent;
              due = fresh.sent + interval;
              void revokeId(old);
              return true;
            }
            void revokeId(fresh.id);
          }
        }
        finish(await hooks.gone().catch((e: unknown) => e));
        return false;
      } finally {
        recovering = undefined;
      }
    })());

  const send = (): void => {
    const leaseId = id;
    for (const m of members) {
      const n = open.get(m) ?? 0;
      if (n >= MAX_OPEN) continue;
      open.set(m, n + 1);
      const sent = Date.now();
      keepaliveOnce(m, leaseId, callMs)
        .then(
          (ttl) => {
            if (stopped || leaseId !== id) return;
            if (ttl <= 0) return void recover();
            provenUntil = Math.max(provenUntil, sent + ttl * 1000);
            if (sent > lastAckSent) {
              lastAckSent = sent;
              due = sent + interval;
            }
          },
          (e: unknown) => void (lastError = e),
        )
        .finally(() => open.set(m, (open.get(m) ?? 1) - 1));
    }
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      const now = Date.now();
      if (now >= provenUntil - margin) return finish(hooks.unreachable(lastError));
      if (now >= due) {
        send();
        due = now + RETRY_MS;
      }
      await delay(Math.max(1, Math.min(due, provenUntil - margin) - Date.now()), undefined, { signal: wake.signal, ref: false }).catch(
        () => undefined,
      );
    }
  };
  void loop();
  const stop = (): void => {
    stopped = true;
    wake.abort();
  };
  return {
    id: () => id,
    ttlMs,
    lapsed: lapsed.signal,
    stop,
    recover,
    provenUntil: () => provenUntil,
    async revoke() {
      stop();
      await revokeId(id);
    },
  };
}

async function grant(client: Etcd3, ttlSeconds: number): Promise<{ id: string; ttlMs: number; sent: number }> {
  const sent = Date.now();
  const r = await client.leaseClient.leaseGrant({ TTL: ttlSeconds });
  return { id: r.ID, ttlMs: Number(r.TTL) * 1000, sent };
}

/** One keepalive on its own stream: the TTL etcd answered (seconds; 0: the lease is gone). */
async function keepaliveOnce(member: Etcd3, id: string, timeoutMs: number): Promise<number> {
  const stream = await member.leaseClient.leaseKeepAlive({ deadline: Date.now() + timeoutMs });
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.cancel();
      reject(new Error(`no keepalive answer within ${timeoutMs} ms`));
    }, timeoutMs + 100);
    stream.on('data', (res) => {
      clearTimeout(timer);
      resolve(Number(res.TTL));
      stream.end();
    });
    stream.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    stream.write({ ID: id });
  });
}
