import type { Clock } from '../util/clock.js';
import type { ShardFence } from './fence.js';
import { FlipError } from './flip-error.js';
import type { RuleStore, RuleUpdate, RuleVersion } from './store.js';

/**
 * The one writer of a staged move: every write is a compare-and-set on the last version this run wrote
 * (or read), one at a time, and while the run holds a fence it renews the fence's lease every third of
 * the lease (a new `fence` version with a later leaseUntilIso). Losing a compare-and-set to anyone else
 * is a FlipError('conflict'); a renewal that loses marks the fence as lost (`lost` aborts), so the run
 * stops waiting for catch-up at once instead of publishing over whoever took over.
 */
export interface FenceHolder {
  /** The last version this run read or wrote. */
  current(): RuleVersion;
  /** Write the update built from the current version (CAS on it); serialised with renewals. */
  write(build: (current: RuleVersion) => RuleUpdate): Promise<RuleVersion>;
  /** Start renewing the lease of the fence in the current version (call after writing it). */
  renew(): void;
  /** Aborted when a renewal found that someone else changed the rules. */
  readonly lost: AbortSignal;
  stop(): void;
}

export interface FenceHolderOptions {
  readonly store: RuleStore;
  readonly start: RuleVersion;
  readonly what: 'flip' | 'rollback';
  readonly leaseMs: number;
  readonly clock: Clock;
}

export function createFenceHolder(o: FenceHolderOptions): FenceHolder {
  let current = o.start;
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const lost = new AbortController();
  const write = (build: (c: RuleVersion) => RuleUpdate): Promise<RuleVersion> => {
    const next = chain.then(async () => {
      if (lost.signal.aborted) throw lost.signal.reason;
      const update = build(current);
      const r = await o.store.compareAndSet(current.version, update);
      if (!r.ok) {
        throw new FlipError(
          'conflict',
          `the rules changed underneath this ${o.what}: expected version ${current.version}, the store is at ${r.currentVersion}`,
          {
            hint: 'another writer won; re-run to recompute from the new rules (flips are idempotent)',
          },
        );
      }
      current = { ...update, cut: [...(update.cut ?? [])].sort(), version: r.version, atIso: new Date(o.clock.now()).toISOString() };
      return current;
    });
    chain = next.catch(() => undefined);
    return next;
  };
  const renewOnce = (): void => {
    const fence = current.fence;
    if (!fence?.owner || lost.signal.aborted) return;
    const leaseUntilIso = new Date(o.clock.now() + o.leaseMs).toISOString();
    const renewed: ShardFence = { ...fence, owner: { ...fence.owner, leaseUntilIso } };
    write((c) => ({ kind: 'fence', map: c.map, fence: renewed, cut: c.cut })).catch((e: unknown) => {
      if ((e as FlipError).reason === 'conflict')
        lost.abort(
          new FlipError('conflict', `lost the fence while waiting: ${(e as Error).message}`, {
            hint: "another run took the fence over (this run's lease had run out); nothing more was written by this run",
          }),
        );
      // a store that does not answer: the next tick tries again while the lease still has two thirds left
    });
  };
  return {
    current: () => current,
    write,
    renew() {
      if (timer) return;
      timer = setInterval(renewOnce, Math.max(10, Math.floor(o.leaseMs / 3)));
      timer.unref();
    },
    lost: lost.signal,
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
