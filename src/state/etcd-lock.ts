import { setTimeout as delay } from 'node:timers/promises';
import type { Etcd3, IKeyValue } from 'etcd3';
import { hostIdentity } from '../infra/process-identity.js';
import { cmp, getKv, op, text, txn } from '../infra/etcd-ops.js';
import { grantLease, type EtcdLease } from './etcd-lease.js';
import { FencedOut, lockHeldBy, StoreUnreachable } from './errors.js';
import { livenessOf, type Fence, type HolderInput, type LockHolder, type LockLease } from './store.js';

/**
 * The lock of a scope in etcd. PREFIX/lock/SCOPE (the holder) and PREFIX/owner/SCOPE ("TOKEN RUNID")
 * are bound to the holder's lease: when the lease runs out etcd deletes both, so a lapsed holder can no
 * longer pass the compare that guards every fenced write. PREFIX/token/SCOPE counts tokens (never
 * reset: a token is never handed out twice, whichever member leads); PREFIX/held/SCOPE keeps a copy of
 * the holder that outlives the lease, so the next holder can say whose lease it took over.
 */
export interface EtcdLockContext {
  readonly client: Etcd3;
  readonly label: string;
  readonly prefix: string;
  /** Run a store call: any failure to talk to etcd becomes StoreUnreachable (drctl's own errors pass). */
  io<T>(fn: () => Promise<T>): Promise<T>;
  /** One client per member, for the lease's keepalives (etcd-lease.ts). */
  members(): Promise<readonly Etcd3[]>;
  /** The deadline of one call. */
  readonly timeoutMs: number;
  /** The locks this process holds: recover(fence) reclaims one whose keys etcd deleted too early (etcd-lease.ts). */
  readonly held: Map<string, () => Promise<boolean>>;
}

/** The key of a held lock in EtcdLockContext.held. */
export const heldKey = (f: Pick<Fence, 'scope' | 'token' | 'runId'>): string => `${f.scope}\n${ownerValue(f)}`;

type Stored = Omit<LockHolder, 'expiresAt'>;

export const lockKeys = (prefix: string, scope: string) => {
  const s = encodeURIComponent(scope);
  return { lock: `${prefix}/lock/${s}`, owner: `${prefix}/owner/${s}`, token: `${prefix}/token/${s}`, held: `${prefix}/held/${s}` };
};
export const ownerValue = (f: Pick<Fence, 'token' | 'runId'>): string => `${f.token} ${f.runId}`;
const MAX_RACES = 10;

export async function readEtcdLock(c: EtcdLockContext, kv: IKeyValue | undefined): Promise<LockHolder | undefined> {
  const stored = parse(text(kv));
  if (!kv || !stored) return undefined;
  const ttl = kv.lease && kv.lease !== '0' ? Number((await c.io(() => c.client.leaseClient.leaseTimeToLive({ ID: kv.lease }))).TTL) : 0;
  return { ...stored, expiresAt: new Date(Date.now() + Math.max(0, ttl) * 1000).toISOString() };
}

/** The fenced-out error naming whoever holds the scope now (read from etcd; unknown when unreachable). */
export async function fencedOutNow(c: EtcdLockContext, fence: Fence): Promise<FencedOut> {
  const current = await c
    .io(() => getKv(c.client, lockKeys(c.prefix, fence.scope).lock))
    .then(
      (kv) => parse(text(kv)),
      () => undefined,
    );
  return fencedOut(fence, current);
}

export function fencedOut(fence: Fence, current: Stored | undefined): FencedOut {
  const mine = current && current.token === fence.token && current.runId === fence.runId;
  return new FencedOut(
    fence.scope,
    fence.token,
    current && !mine
      ? { token: current.token, runId: current.runId, holder: `${current.user}@${current.host} pid ${current.pid}` }
      : undefined,
  );
}

export async function acquireEtcdLock(c: EtcdLockContext, scope: string, input: HolderInput, leaseMs: number): Promise<LockLease> {
  const k = lockKeys(c.prefix, scope);
  let fence: Fence = { scope, token: 0, runId: input.runId };
  let mine: { json: string } | undefined; // set once the lock is this controller's
  const lease = await grantLease(c.client, await c.members(), Math.max(1, Math.ceil(leaseMs / 1000)), c.timeoutMs, {
    gone: () => fencedOutNow(c, fence),
    unreachable: (e) =>
      new StoreUnreachable(
        c.label,
        new Error(
          `this controller's lease on the lock "${scope}" could not be confirmed in time (${(e as Error).message ?? String(e)}); it stopped acting as holder`,
        ),
      ),
    // the keys are gone but nobody took the lock: no new token since ours (the counter), our copy in held/
    // (a forced unlock deletes it), lock and owner keys absent — then they are ours again, same token
    reclaim: async (leaseId) =>
      !!mine &&
      (
        await txn(
          c.client,
          [cmp.createdAt(k.lock, 0), cmp.createdAt(k.owner, 0), cmp.valueIs(k.held, mine.json), cmp.valueIs(k.token, String(fence.token))],
          [op.put(k.lock, mine.json, leaseId), op.put(k.owner, ownerValue(fence), leaseId)],
        )
      ).succeeded,
  });
  try {
    for (let race = 0; race < MAX_RACES; race++) {
      const [lockKv, tokenKv, heldKv] = await c.io(() =>
        Promise.all([getKv(c.client, k.lock), getKv(c.client, k.token), getKv(c.client, k.held)]),
      );
      const current = await readEtcdLock(c, lockKv);
      let tookOver: LockLease['tookOver'];
      if (current) {
        // a live lease: the holder runs (or its lease has not run out yet); dead: on this machine and its process gone
        const liveness = livenessOf(current);
        if (liveness === 'live') throw lockHeldBy(scope, current);
        if (liveness === 'expired') {
          await delay(100); // the lease ran out this instant: etcd deletes its keys at once
          continue;
        }
        tookOver = { holder: current, why: 'dead' };
      } else {
        const previous = parse(text(heldKv));
        if (previous) tookOver = { holder: { ...previous, expiresAt: new Date().toISOString() }, why: 'expired' };
      }
      const token = Math.max(Number(text(tokenKv) ?? 0), current?.token ?? 0, tookOver?.holder.token ?? 0) + 1;
      const stored: Stored = { ...input, hostId: hostIdentity(), token };
      const json = JSON.stringify(stored);
      fence = { scope, token, runId: input.runId };
      // a write that timed out may still have committed, and etcd3 retries it once it timed out (then the
      // retry's compare fails on our own write): the owner key says whether this token is ours
      const committed = async (): Promise<boolean> => {
        const owner = await c.io(() => getKv(c.client, k.owner));
        return owner?.lease === lease.id() && text(owner) === ownerValue(fence);
      };
      const won = await c
        .io(() =>
          txn(
            c.client,
            [cmp.createdAt(k.lock, lockKv?.create_revision ?? 0), cmp.modifiedAt(k.token, tokenKv?.mod_revision ?? 0)],
            [
              op.put(k.lock, json, lease.id()),
              op.put(k.owner, ownerValue(fence), lease.id()),
              op.put(k.token, String(token)),
              op.put(k.held, json),
            ],
          ),
        )
        .then(
          (r) => r.succeeded || committed(),
          (e: unknown) => committed().catch(() => Promise.reject(e)),
        );
      if (!won) continue; // another controller changed the lock or the counter in between: look again
      mine = { json };
      if (current && lockKv?.lease && lockKv.lease !== '0')
        void c.client.leaseClient.leaseRevoke({ ID: lockKv.lease }).catch(() => undefined);
      return leaseOf(c, k, fence, { ...stored, expiresAt: new Date(lease.provenUntil()).toISOString() }, tookOver, lease);
    }
    throw new StoreUnreachable(c.label, new Error(`the lock "${scope}" changed ${MAX_RACES} times while this controller tried to take it`));
  } catch (e) {
    await lease.revoke();
    throw e;
  }
}

function leaseOf(
  c: EtcdLockContext,
  k: ReturnType<typeof lockKeys>,
  fence: Fence,
  holder: LockHolder,
  tookOver: LockLease['tookOver'],
  lease: EtcdLease,
): LockLease {
  const key = heldKey(fence);
  c.held.set(key, () => lease.recover());
  lease.lapsed.addEventListener('abort', () => c.held.delete(key), { once: true });
  const ownerIsMine = async (): Promise<boolean> => {
    const owner = await c.io(() => getKv(c.client, k.owner));
    return owner?.lease === lease.id() && text(owner) === ownerValue(fence);
  };
  return {
    ...fence,
    holder,
    tookOver,
    lapsed: lease.lapsed,
    renew: async () => {
      if (lease.lapsed.aborted) throw lease.lapsed.reason;
      if (!(await ownerIsMine()) && !((await lease.recover()) && (await ownerIsMine()))) throw await fencedOutNow(c, fence);
      return { ...holder, expiresAt: new Date(lease.provenUntil()).toISOString() };
    },
    release: async () => {
      c.held.delete(key);
      lease.stop();
      try {
        await c.io(() => txn(c.client, [cmp.valueIs(k.owner, ownerValue(fence))], [op.del(k.lock), op.del(k.owner), op.del(k.held)]));
      } finally {
        await lease.revoke();
      }
    },
  };
}

function parse(json: string | undefined): Stored | undefined {
  if (!json) return undefined;
  try {
    const v = JSON.parse(json) as Stored;
    return typeof v.runId === 'string' && Number.isInteger(v.token) ? v : undefined;
  } catch {
    return undefined;
  }
}
