import { realClock, type Clock } from '../util/clock.js';
import { messageOf } from '../util/errors.js';
import { waitForCatchUp, type CatchUpOptions } from './catch-up.js';
import { diffMaps, describeMoves, type Move } from './diff.js';
import { fenceCoversAll, fenceOf, renderFence, widenFence, type ShardFence } from './fence.js';
import { createFenceHolder, type FenceHolder } from './fence-holder.js';
import {
  createFenceOwner,
  DEFAULT_FENCE_LEASE_MS,
  describeOwner,
  holdOwnership,
  ownerLiveness,
  type HostProbe,
  type OwnerLiveness,
} from './fence-owner.js';
import { FlipError } from './flip-error.js';
import type { FlipStage, StageEvent, StageTiming } from './flip-stages.js';
import { renderRanges } from './ranges.js';
import type { ShardMap } from './shard-map.js';
import { clearFence, type ChangeKind, type RuleStore, type RuleVersion } from './store.js';
import type { Topology } from './topology.js';

export interface StagedMoveOptions extends CatchUpOptions {
  readonly store: RuleStore;
  /** The rules as read; every write is a compare-and-set against this version onward. */
  readonly current: RuleVersion;
  readonly target: ShardMap;
  /** The cut data centers recorded with the target map (sorted by the store). */
  readonly targetCut: readonly string[];
  /** Names the operation in the fence ("flip hz-a,hz-b"): only a later run of the same one may take it over. */
  readonly by: string;
  readonly kind: Extract<ChangeKind, 'map' | 'rollback'>;
  readonly topology?: Topology | undefined;
  readonly clock?: Clock;
  readonly signal?: AbortSignal | undefined;
  /** How long the fence stays owned without a renewal (default 15 s; renewed every third of it). */
  readonly leaseMs?: number;
  /** This process and how to tell whether another one lives (tests inject one). */
  readonly hostProbe?: HostProbe;
  /** The break-glass command to print in hints, as the user can run it (with its --store); default without. */
  readonly unfenceCommand?: string;
}

export interface StagedMoveResult {
  readonly status: 'noop' | 'moved';
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly moves: readonly Move[];
  readonly stages: readonly StageTiming[];
  /** Set when this run took over the fence of a dead (or lease-expired) run of the same operation. */
  readonly tookOver?: { readonly owner: string; readonly why: string };
}

/**
 * Move the published map to `target` without ever letting two zones accept writes for a shard:
 * (1) fence exactly the shards that move, owned by this run (lease renewed while it runs), (2) poll
 * the catch-up check until it passes or the deadline, (3) publish the new map (still fenced), (4) lift
 * the fence. Every write is a compare-and-set. A failure before (3) lifts the fence and leaves the old
 * map. A fence of the same operation whose owner is provably gone (dead process on this machine, or an
 * expired lease) is taken over, and catch-up runs again; any other fence is refused, naming its owner.
 */
export async function runStagedMove(o: StagedMoveOptions): Promise<StagedMoveResult> {
  const clock = o.clock ?? realClock;
  const moves = diffMaps(o.current.map, o.target, o.topology);
  const moving = moves.flatMap((m) => m.shards).sort((a, b) => a - b);
  const targetCut = [...new Set(o.targetCut)].sort();
  const cutChanges = targetCut.join(',') !== [...o.current.cut].sort().join(',');
  const previous = o.current.fence;
  const takeover = previous ? checkTakeover(o, previous, moving, clock.now()) : undefined;
  const result = (status: 'noop' | 'moved', toVersion: number, stages: readonly StageTiming[]): StagedMoveResult => ({
    status,
    fromVersion: o.current.version,
    toVersion,
    moves,
    stages,
    ...(takeover && previous ? { tookOver: { owner: describeOwner(previous.owner), why: takeover.why } } : {}),
  });
  if (moving.length === 0 && !previous && !cutChanges) return result('noop', o.current.version, []);
  const stages: StageTiming[] = [];
  const stage = timedStage(o, clock, stages);
  const leaseMs = o.leaseMs ?? DEFAULT_FENCE_LEASE_MS;
  const holder = createFenceHolder({ store: o.store, start: o.current, what: o.kind === 'rollback' ? 'rollback' : 'flip', leaseMs, clock });
  if (moving.length === 0 && !previous) {
    // nothing moves, only the recorded cut set changes: one write, nothing to fence
    await stage('flip', `record cut data centers: ${targetCut.join(', ') || 'none'} (no shard moves)`, () =>
      holder.write((c) => ({ kind: o.kind, map: c.map, fence: null, cut: targetCut })),
    );
    return result('moved', holder.current().version, stages);
  }
  const owner = createFenceOwner(clock.now(), leaseMs, o.hostProbe);
  const release = holdOwnership(owner);
  try {
    const atIso = new Date(clock.now()).toISOString();
    // a dead run of another operation: its fence (widened to what this run moves) becomes this run's
    const fence: ShardFence = !previous
      ? fenceOf(moving, o.by, atIso, owner)
      : previous.by === o.by
        ? { ...previous, atIso, owner }
        : widenFence(previous, moving, o.by, atIso, owner);
    const detail = previous && takeover ? `taking over the fence of ${describeOwner(previous.owner)} (${takeover.why}): ` : '';
    await fencedMove(o, { fence, detail, moves, publish: moving.length > 0 || cutChanges, targetCut, holder, clock, stage });
    return result('moved', holder.current().version, stages);
  } finally {
    release();
    holder.stop();
  }
}

interface FencedMove {
  readonly fence: ShardFence;
  /** Prefix of the fence stage's detail (a takeover names the previous owner). */
  readonly detail: string;
  readonly moves: readonly Move[];
  /** Whether the flip stage writes (false when a taken-over run had already published). */
  readonly publish: boolean;
  readonly targetCut: readonly string[];
  readonly holder: FenceHolder;
  readonly clock: Clock;
  readonly stage: Stage;
}

/** Stages (1)–(4) under this run's fence; a failure before the publish lifts the fence (if still ours). */
async function fencedMove(o: StagedMoveOptions, m: FencedMove): Promise<void> {
  const { holder, stage, fence } = m;
  const shardsText = renderFence(fence, o.target.owners.length);
  await stage('fence', `${m.detail}shards ${shardsText} write-forbidden`, () =>
    holder.write((c) => ({ kind: 'fence', map: c.map, fence, cut: c.cut })),
  );
  holder.renew();
  try {
    const signal = o.signal ? AbortSignal.any([o.signal, holder.lost]) : holder.lost;
    await stage('catch-up', o.catchUp ? 'waiting for data to catch up' : 'no catch-up check configured', () =>
      waitForCatchUp(o, m.clock, signal, o.current.version),
    );
    if (m.publish)
      await stage('flip', describeMoves(m.moves), () =>
        holder.write((c) => ({ kind: o.kind, map: o.target, fence: c.fence, cut: m.targetCut })),
      );
  } catch (e) {
    holder.stop();
    await liftAfterFailure(o, fence.owner?.id ?? '', m.clock);
    throw e;
  }
  holder.stop();
  const flipped = holder.current();
  try {
    await stage('unfence', `shards ${shardsText} writable`, () =>
      holder.write((c) => ({ kind: 'unfence', map: c.map, fence: null, cut: c.cut })),
    );
  } catch (e) {
    throw new FlipError(
      'unfence-failed',
      `the new map is published (version ${flipped.version}) but the fence could not be lifted: ${messageOf(e)}`,
      {
        hint: `re-run the same ${o.kind === 'rollback' ? 'rollback' : 'flip'} to lift it, or \`${unfenceCommand(o)}\``,
        cause: e,
      },
    );
  }
}

/**
 * A fence is in place: may this run take it over? Throws a FlipError naming the owner when not. A fence
 * whose owner is provably gone (dead process on this machine, or an expired lease) is taken over by a
 * later run of the same operation (if it covers what this run moves), or by another operation (a rollback
 * after a killed flip), which widens it to what it moves; a live owner's fence is never taken.
 */
function checkTakeover(o: StagedMoveOptions, fence: ShardFence, moving: readonly number[], nowMs: number): OwnerLiveness {
  const shardCount = o.target.owners.length;
  const shards = renderFence(fence, shardCount);
  const owner = describeOwner(fence.owner);
  const liveness = ownerLiveness(fence.owner, fence.atIso, nowMs, o.hostProbe);
  if (fence.by !== o.by) {
    if (liveness.state !== 'live') return liveness;
    throw new FlipError('fenced', `shards ${shards} are write-fenced by "${fence.by}" since ${fence.atIso}, held by ${owner}`, {
      hint: `another operation is moving shards: wait for it to finish; it is taken over once its process is gone (same machine) or its lease expires, or \`${unfenceCommand(o)}\` lifts its fence`,
    });
  }
  if (liveness.state === 'live') {
    throw new FlipError('fenced', `"${fence.by}" is already running: shards ${shards} are write-fenced by ${owner}`, {
      hint: 'wait for that run to finish; a run whose process died (same machine) or whose lease expired is taken over by running the same command again',
    });
  }
  if (!fenceCoversAll(fence, moving)) {
    throw new FlipError(
      'fenced',
      `the fence left by "${fence.by}" (${owner}, ${liveness.why}) covers shards ${shards}, but this run would move ${renderRanges(moving, shardCount)}`,
      {
        hint: `the rules or the topology changed since that run: \`${unfenceCommand(o)}\` lifts its fence, then re-run`,
      },
    );
  }
  return liveness;
}

const unfenceCommand = (o: StagedMoveOptions): string => o.unfenceCommand ?? 'drctl rules unfence --store URL --yes';

type Stage = (name: FlipStage, detail: string, fn: () => Promise<RuleVersion | void>) => Promise<void>;

function timedStage(o: StagedMoveOptions, clock: Clock, stages: StageTiming[]): Stage {
  return async (name, detail, fn) => {
    const t0 = clock.monotonic();
    o.onStage?.({ type: 'started', stage: name, detail });
    try {
      const v = await fn();
      const durationMs = clock.monotonic() - t0;
      stages.push({ stage: name, durationMs });
      o.onStage?.({ type: 'finished', stage: name, durationMs, version: v ? v.version : undefined, detail });
    } catch (e) {
      o.onStage?.({ type: 'failed', stage: name, durationMs: clock.monotonic() - t0, message: messageOf(e) });
      throw e;
    }
  };
}

/**
 * Best effort after a failure before the new map was published: if the store still holds this run's
 * fence (same owner id), lift it (CAS), so the old map stays fully writable. Never lifts anyone else's.
 */
async function liftAfterFailure(o: StagedMoveOptions, ownerId: string, clock: Clock): Promise<void> {
  const t0 = clock.monotonic();
  const event = (e: StageEvent): void => o.onStage?.(e);
  event({ type: 'started', stage: 'unfence', detail: 'lifting the fence after a failure; the old map stays' });
  const failed = (message: string): void => event({ type: 'failed', stage: 'unfence', durationMs: clock.monotonic() - t0, message });
  try {
    const now = await o.store.read();
    if (!now?.fence || now.fence.owner?.id !== ownerId) return failed("the fence is no longer this run's: left as is");
    const r = await clearFence(o.store, now);
    if (r.ok)
      event({
        type: 'finished',
        stage: 'unfence',
        durationMs: clock.monotonic() - t0,
        version: r.version,
        detail: 'fence lifted, old map kept',
      });
    else failed(`could not lift the fence: the rules changed (now version ${r.currentVersion})`);
  } catch (e) {
    failed(`could not lift the fence: ${messageOf(e)}`);
  }
}
