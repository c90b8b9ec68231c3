import { realClock, type Clock } from '../util/clock.js';
import { messageOf } from '../util/errors.js';
import { diffMaps, describeMoves, type Move } from './diff.js';
import { FlipError } from './flip-error.js';
import type { CatchUpCheck, FlipStage, StageEvent, StageTiming } from './flip-stages.js';
import { computeFlip } from './flip.js';
import { renderRanges } from './ranges.js';
import type { Fence, ShardMap } from './shard-map.js';
import { clearFence, setFence, type CasOutcome, type ChangeKind, type RuleStore, type RuleVersion } from './store.js';
import type { Topology } from './topology.js';
import { initialMap } from './shard-map.js';

export interface StagedMoveOptions {
  readonly store: RuleStore;
  /** The rules as read; every write is a compare-and-set against this version onward. */
  readonly current: RuleVersion;
  readonly target: ShardMap;
  /** Names the operation in the fence ("flip hz-a,hz-b"): a re-run of the same one adopts its fence. */
  readonly by: string;
  readonly kind: Extract<ChangeKind, 'map' | 'rollback'>;
  readonly topology?: Topology;
  readonly catchUp?: CatchUpCheck | undefined;
  readonly catchUpTimeoutMs?: number;
  readonly catchUpIntervalMs?: number;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  readonly onStage?: (e: StageEvent) => void;
}

export interface StagedMoveResult {
  readonly status: 'noop' | 'moved';
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly moves: readonly Move[];
  readonly stages: readonly StageTiming[];
}

export const DEFAULT_CATCH_UP_TIMEOUT_MS = 30_000;
export const DEFAULT_CATCH_UP_INTERVAL_MS = 500;

/**
 * Move the published map to `target` without ever letting two zones accept writes for a shard:
 * (1) fence exactly the shards that move, (2) poll the catch-up check until it passes or the deadline,
 * (3) publish the new map (still fenced), (4) lift the fence. Every write is a compare-and-set. A
 * failure before (3) lifts the fence and leaves the old map. A fence left by a crashed run of the
 * same operation is adopted; anyone else's fence is refused.
 */
export async function runStagedMove(o: StagedMoveOptions): Promise<StagedMoveResult> {
  const clock = o.clock ?? realClock;
  const stages: StageTiming[] = [];
  const shardCount = o.target.owners.length;
  const moves = diffMaps(o.current.map, o.target, o.topology);
  const moving = moves.flatMap((m) => m.shards).sort((a, b) => a - b);
  let rules = o.current;
  const held = new Set(rules.fence?.shards ?? []);
  if (rules.fence && (rules.fence.by !== o.by || !moving.every((s) => held.has(s)))) {
    throw new FlipError('fenced', `shards ${renderRanges(rules.fence.shards, shardCount)} are write-fenced by "${rules.fence.by}" since ${rules.fence.atIso}`, {
      hint: 'another flip may be running; if it crashed, `drctl rules unfence --yes` lifts its fence',
    });
  }
  if (moving.length === 0 && !rules.fence) return { status: 'noop', fromVersion: rules.version, toVersion: rules.version, moves, stages };
  const stage = async <T>(name: FlipStage, detail: string, fn: () => Promise<T>, version: (v: T) => number | undefined): Promise<T> => {
    const t0 = clock.monotonic();
    o.onStage?.({ type: 'started', stage: name, detail });
    try {
      const v = await fn();
      const durationMs = clock.monotonic() - t0;
      stages.push({ stage: name, durationMs });
      o.onStage?.({ type: 'finished', stage: name, durationMs, version: version(v), detail });
      return v;
    } catch (e) {
      o.onStage?.({ type: 'failed', stage: name, durationMs: clock.monotonic() - t0, message: messageOf(e) });
      throw e;
    }
  };
  const write = async (next: Promise<CasOutcome>, update: Omit<RuleVersion, 'version' | 'atIso'> & { atIso?: string }): Promise<RuleVersion> => {
    const r = await next;
    if (!r.ok) {
      throw new FlipError('conflict', `the rules changed underneath this ${o.kind === 'rollback' ? 'rollback' : 'flip'}: expected version ${rules.version}, the store is at ${r.currentVersion}`, {
        hint: 'another flip won; re-run to recompute from the new rules (flips are idempotent)',
      });
    }
    return { ...update, version: r.version, atIso: update.atIso ?? new Date().toISOString() };
  };
  const fenceShards = moving.length > 0 ? moving : rules.fence?.shards ?? [];
  const fenceLabel = `shards ${renderRanges(fenceShards, shardCount)} write-forbidden`;
  if (!rules.fence) {
    const fence: Fence = { shards: moving, by: o.by, atIso: new Date().toISOString() };
    const before = rules;
    rules = await stage('fence', fenceLabel, () => write(setFence(o.store, before, fence), { kind: 'fence', map: before.map, fence }), (v) => v.version);
  }
  if (moving.length > 0) {
    const fenced = rules;
    try {
      await stage('catch-up', o.catchUp ? 'waiting for data to catch up' : 'no catch-up check configured', () => waitForCatchUp(o, clock), () => undefined);
      rules = await stage('flip', describeMoves(moves), () => write(o.store.compareAndSet(fenced.version, { kind: o.kind, map: o.target, fence: fenced.fence }), { kind: o.kind, map: o.target, fence: fenced.fence }), (v) => v.version);
    } catch (e) {
      await liftAfterFailure(o, fenced);
      throw e;
    }
  }
  const flipped = rules;
  try {
    rules = await stage('unfence', `shards ${renderRanges(fenceShards, shardCount)} writable`, () => write(clearFence(o.store, flipped), { kind: 'unfence', map: flipped.map, fence: null }), (v) => v.version);
  } catch (e) {
    throw new FlipError('unfence-failed', `the new map is published (version ${flipped.version}) but the fence could not be lifted: ${messageOf(e)}`, {
      hint: 're-run the same flip to lift it, or `drctl rules unfence --yes`', cause: e,
    });
  }
  return { status: 'moved', fromVersion: o.current.version, toVersion: rules.version, moves, stages };
}

async function waitForCatchUp(o: StagedMoveOptions, clock: Clock): Promise<void> {
  if (!o.catchUp) return;
  const timeoutMs = o.catchUpTimeoutMs ?? DEFAULT_CATCH_UP_TIMEOUT_MS;
  const signal = o.signal ?? new AbortController().signal;
  const t0 = clock.monotonic();
  for (;;) {
    const r = await o.catchUp(signal);
    if (r.ok) return;
    const elapsedMs = clock.monotonic() - t0;
    o.onStage?.({ type: 'waiting', stage: 'catch-up', detail: r.detail, elapsedMs });
    if (elapsedMs >= timeoutMs) {
      throw new FlipError('catch-up-failed', `data did not catch up within ${Math.round(timeoutMs)}ms: ${r.detail}; the fence was lifted and the old map (version ${o.current.version}) stays`);
    }
    await clock.sleep(Math.min(o.catchUpIntervalMs ?? DEFAULT_CATCH_UP_INTERVAL_MS, Math.max(1, timeoutMs - elapsedMs)), signal);
  }
}

/**
 * Best effort after a failure before the new map was published: if the store still holds our fence
 * over the old map, lift it (CAS), so the old map stays fully writable. Never lifts anyone else's.
 */
async function liftAfterFailure(o: StagedMoveOptions, fenced: RuleVersion): Promise<void> {
  const clock = o.clock ?? realClock;
  const t0 = clock.monotonic();
  o.onStage?.({ type: 'started', stage: 'unfence', detail: 'lifting the fence after a failure; the old map stays' });
  const failed = (message: string): void => o.onStage?.({ type: 'failed', stage: 'unfence', durationMs: clock.monotonic() - t0, message });
  try {
    const now = await o.store.read();
    const ours = now?.fence?.by === fenced.fence?.by && now?.fence?.atIso === fenced.fence?.atIso;
    if (!now || !ours || !now.fence) return failed('the fence is no longer ours: left as is');
    const r = await clearFence(o.store, now);
    if (r.ok) o.onStage?.({ type: 'finished', stage: 'unfence', durationMs: clock.monotonic() - t0, version: r.version, detail: 'fence lifted, old map kept' });
    else failed(`could not lift the fence: the rules changed (now version ${r.currentVersion})`);
  } catch (e) {
    failed(`could not lift the fence: ${messageOf(e)}`);
  }
}

export interface FlipRunOptions extends Omit<StagedMoveOptions, 'current' | 'target' | 'by' | 'kind' | 'topology'> {
  readonly topology: Topology;
  readonly cut: readonly string[];
}

export interface FlipRunResult extends StagedMoveResult {
  readonly cut: readonly string[];
}

/** Read the rules, compute the flip for `cut` (refusing unsafe ones), and run it in stages. */
export async function runFlip(o: FlipRunOptions): Promise<FlipRunResult> {
  const current = await o.store.read();
  if (!current) throw new FlipError('not-initialized', `${o.store.label} holds no rules yet`, { hint: 'publish the topology first: drctl rules init --topology FILE --store URL' });
  const plan = computeFlip(o.topology, current.map, o.cut);
  if (!plan.ok) {
    const reason = plan.error.problems.every((p) => p.reason === 'unknown-dc') ? 'unknown-dc' : 'refused';
    throw new FlipError(reason, plan.error.message);
  }
  const result = await runStagedMove({ ...o, current, target: plan.value.newMap, by: flipLabel(plan.value.cut), kind: 'map' });
  return { ...result, cut: plan.value.cut };
}

export const flipLabel = (cut: readonly string[]): string => `flip ${[...new Set(cut)].sort().join(',')}`;

/** Fail back: move every shard to the zone the topology assigns it, in the same safe stages. */
export async function runHomeMove(o: Omit<FlipRunOptions, 'cut'>): Promise<StagedMoveResult> {
  const current = await o.store.read();
  if (!current) throw new FlipError('not-initialized', `${o.store.label} holds no rules yet`, { hint: 'publish the topology first: drctl rules init --topology FILE --store URL' });
  return runStagedMove({ ...o, current, target: initialMap(o.topology), by: 'restore home', kind: 'map' });
}
