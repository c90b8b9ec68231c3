import { setTimeout as delay } from 'node:timers/promises';
import type { Etcd3 } from 'etcd3';

/**
 * An etcd lease kept alive while a run lives, and the proof that it still is. Every TTL/3 one
 * keepalive goes to every member at once (each on its own connection, with a deadline): the first
 * answer counts, so a cut or frozen member — even the one a stream would have been stuck on — costs
 * nothing while a majority answers. The lease is counted from the moment an acknowledged keepalive
 * was *sent* (etcd keeps it at least TTL from then). When no member acknowledged one until TTL minus
 * a margin, `lapsed` aborts with the error `unreachable()` makes; when a member says the lease is gone
 * (expired while this process was frozen, revoked), with the error `gone()` makes (fenced out, naming
 * who holds the lock now). Either way the holder stops acting before etcd could give the lock to anyone
 * else. The client's own keepalive is not used: its 'lost' event comes only after the network is back
 * (lab.md), and its stream can stay on a silent member.
 */
export interface EtcdLease {
  readonly id: string;
  readonly ttlMs: number;
  /** Local clock: the lease lives at least until then. */
  provenUntil(): number;
  /** Aborted (reason: the error) once this process can no longer prove the lease alive. */
  readonly lapsed: AbortSignal;
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
}

export const leaseMarginMs = (ttlMs: number): number => Math.min(3_000, Math.max(500, Math.floor(ttlMs / 5)));
const RETRY_MS = 200;

/**
 * Grant a lease through `client` and keep it alive through `members` (one client per member).
 * `callTimeoutMs`: the most one keepalive round may take (it is also kept under the margin).
 */
export async function grantLease(client: Etcd3, members: readonly Etcd3[], ttlSeconds: number, callTimeoutMs: number, hooks: LeaseHooks): Promise<EtcdLease> {
  const grantSent = Date.now();
  let id: string;
  let granted: number;
  try {
    const r = await client.leaseClient.leaseGrant({ TTL: ttlSeconds });
    id = r.ID;
    granted = Number(r.TTL);
  } catch (e) {
    throw hooks.unreachable(e);
  }
  const ttlMs = granted * 1000;
  const margin = leaseMarginMs(ttlMs);
  const roundMs = Math.max(300, Math.min(callTimeoutMs, Math.floor((margin * 2) / 3)));
  let provenUntil = grantSent + ttlMs;
  let stopped = false;
  const lapsed = new AbortController();
  const wake = new AbortController();

  const loop = async (): Promise<void> => {
    let next = grantSent + ttlMs / 3;
    while (!stopped) {
      await delay(Math.max(0, next - Date.now()), undefined, { signal: wake.signal, ref: false }).catch(() => undefined);
      if (stopped) return;
      const sent = Date.now();
      const answer = await keepaliveRound(members, id, roundMs);
      if (stopped) return;
      if (answer === 'gone') return void lapsed.abort(await hooks.gone().catch((e: unknown) => e));
      if (typeof answer === 'number') {
        provenUntil = Math.max(provenUntil, sent + answer * 1000);
        next = sent + ttlMs / 3;
      } else if (Date.now() >= provenUntil - margin) {
        return void lapsed.abort(hooks.unreachable(answer));
      } else next = Date.now() + RETRY_MS;
    }
  };
  void loop();
  const stop = (): void => {
    stopped = true;
    wake.abort();
  };
  return {
    id, ttlMs, lapsed: lapsed.signal, stop,
    provenUntil: () => provenUntil,
    async revoke() {
      stop();
      await client.leaseClient.leaseRevoke({ ID: id }).catch(() => undefined);
    },
  };
}

/** One keepalive to every member at once: the first TTL answered (seconds), 'gone' (TTL 0), or the last error. */
function keepaliveRound(members: readonly Etcd3[], id: string, timeoutMs: number): Promise<number | 'gone' | Error> {
  return new Promise((resolve) => {
    let failed = 0;
    let lastError: Error = new Error('no member answered');
    for (const m of members) {
      keepaliveOnce(m, id, timeoutMs).then((ttl) => resolve(ttl > 0 ? ttl : 'gone'), (e: unknown) => {
        lastError = e instanceof Error ? e : new Error(String(e));
        if (++failed === members.length) resolve(lastError);
      });
    }
  });
}

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
