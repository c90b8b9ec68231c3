import type { Etcd3 } from 'etcd3';

/**
 * An etcd lease kept alive while a run lives, and the proof that it still is. The client's keepalive
 * stream renews it every TTL/3; this module never waits for the client's 'lost' event alone (it comes
 * only after the network is back: lab.md). It counts from the moment each acknowledged keepalive was
 * *sent* — etcd keeps the lease at least TTL from then — and when no keepalive was acknowledged for
 * TTL minus a margin, it asks etcd for the lease's time to live (a unary call, with a deadline, that
 * fails over to another member). Gone → `lapsed` aborts with the error `gone()` makes (fenced out,
 * naming who holds the lock now); no answer within two thirds of the margin → `lapsed` aborts with the error
 * `unreachable()` makes. Either way the holder stops acting before etcd can give the lock to anyone else.
 */
export interface EtcdLease {
  readonly id: string;
  readonly ttlMs: number;
  /** Local clock: the lease lives at least until then (last acknowledged keepalive's send time + TTL). */
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
  /** etcd could not be asked in time. */
  unreachable(cause: unknown): Error;
}

export const leaseMarginMs = (ttlMs: number): number => Math.min(3_000, Math.max(500, Math.floor(ttlMs / 5)));

export async function grantLease(client: Etcd3, ttlSeconds: number, hooks: LeaseHooks): Promise<EtcdLease> {
  const grantSent = Date.now();
  const lease = client.lease(ttlSeconds);
  lease.on('lost', () => undefined); // handled below once granted; a failed grant rejects grant()
  let id: string;
  try {
    id = await lease.grant();
  } catch (e) {
    lease.release();
    throw hooks.unreachable(e);
  }
  const ttlMs = ttlSeconds * 1000;
  const margin = leaseMarginMs(ttlMs);
  let provenUntil = grantSent + ttlMs;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const lapsed = new AbortController();
  const fired: number[] = [];

  const lapse = (e: Error): void => {
    if (stopped || lapsed.signal.aborted) return;
    clearTimeout(timer);
    lease.release();
    lapsed.abort(e);
  };
  const arm = (): void => {
    clearTimeout(timer);
    if (stopped || lapsed.signal.aborted) return;
    timer = setTimeout(() => void check(), Math.max(0, provenUntil - margin - Date.now()));
    timer.unref();
  };
  const check = async (): Promise<void> => {
    const sent = Date.now();
    let ttl: number;
    try {
      ttl = Number((await within(client.leaseClient.leaseTimeToLive({ ID: id }), (margin * 2) / 3)).TTL);
    } catch (e) {
      return lapse(hooks.unreachable(e));
    }
    if (!(ttl > 0)) return lapse(await hooks.gone());
    provenUntil = Math.max(provenUntil, sent + ttl * 1000);
    if (provenUntil - margin <= Date.now()) return lapse(hooks.unreachable(new Error(`the lease could not be renewed: ${ttl}s left`)));
    arm();
  };

  lease.on('keepaliveEstablished', () => void fired.splice(0));
  lease.on('keepaliveFired', () => void fired.push(Date.now()));
  lease.on('keepaliveSucceeded', (res) => {
    const sent = fired.shift() ?? Date.now();
    provenUntil = Math.max(provenUntil, sent + Number(res.TTL) * 1000);
    arm();
  });
  lease.on('lost', () => void hooks.gone().then(lapse, lapse));
  arm();
  const stop = (): void => {
    stopped = true;
    clearTimeout(timer);
    lease.release();
  };
  return {
    id, ttlMs, lapsed: lapsed.signal, stop,
    provenUntil: () => provenUntil,
    async revoke() {
      stop();
      await lease.revoke().catch(() => undefined);
    },
  };
}

/** The promise, or a rejection after ms (the call itself may still finish later). */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${Math.round(ms)} ms`)), ms);
    p.then((v) => {
      clearTimeout(t);
      resolve(v);
    }, (e: unknown) => {
      clearTimeout(t);
      reject(e);
    });
  });
}
