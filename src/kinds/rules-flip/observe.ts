import path from 'node:path';
import { describeMoves, diffMaps } from '../../rules/diff.js';
import { computeCumulativeFlip } from '../../rules/flip.js';
import { loadTopologyFile } from '../../rules/load-topology.js';
import { openRuleStore } from '../../rules/open-store.js';
import { renderRanges } from '../../rules/ranges.js';
import {
  decodeMap,
  encodeMap,
  initialMap,
  shardCountProblem,
  shardsOwnedIn,
  type ShardFence,
  type StoredMap,
} from '../../rules/shard-map.js';
import type { RuleStore } from '../../rules/store.js';
import type { Topology } from '../../rules/topology.js';
import { untilAborted } from '../../util/abortable.js';
import { formatPosition } from '../../util/diagnostic.js';
import { stepError, type KindContext } from '../../model/kind.js';
import { cutList, type RulesFlipParams } from './params.js';

/** What the step sees (journaled as before/after): the published rules and what the cut would move. */
export interface RulesFlipState {
  /** 0 when the store holds no rules yet. */
  readonly version: number;
  readonly map: StoredMap | null;
  readonly fence: ShardFence | null;
  readonly cut: readonly string[];
  /** The data centers the store records as cut (earlier flips); they stay cut. */
  readonly recordedCut: readonly string[];
  /** What the store's cut set must still record: cut data centers not yet in it; (home mode) those to clear. */
  readonly cutToRecord: readonly string[];
  /** Ranges of shards still owned by zones in the cut data centers, or (home mode) away from home ("" = done). */
  readonly ownedByCut: string;
  /** The map the flip would publish (null when refused or the store is empty). */
  readonly target: StoredMap | null;
  /** Why the flip would be refused, if it would. */
  readonly refusal: string | null;
  /** zone → data center, for describing moves. */
  readonly dcOf: Readonly<Record<string, string>>;
  /** zone → most shards it may own (the topology's capacity): what assess weighs the flip's load against. */
  readonly capacity?: Readonly<Record<string, number>>;
}

/**
 * How long, after the step's signal aborts, a move may still talk to the store to clean up (lift its
 * own fence: milliseconds on a live store) before the step stops waiting on a frozen one.
 */
export const STORE_CLEANUP_MS = 1500;

export async function withStore<T>(p: RulesFlipParams, ctx: KindContext, fn: (store: RuleStore) => Promise<T>): Promise<T> {
  const opening = openRuleStore(p.store, ctx.baseDir);
  let store: RuleStore;
  try {
    store = await untilAborted(opening, ctx.signal);
  } catch (e) {
    if (ctx.signal.aborted) {
      void opening.then(
        (s) => s.close(),
        () => undefined,
      );
      throw stepError(`rules store ${p.store}: stopped waiting (the step's time ran out, or it was cancelled)`, { cause: e });
    }
    throw stepError((e as Error).message, { retryable: !(e as { drctl?: boolean }).drctl, cause: e });
  }
  try {
    // the store's own timeouts (seconds per command) do not follow the signal: a frozen store is left behind
    return await untilAborted(fn(store), ctx.signal, STORE_CLEANUP_MS);
  } finally {
    await store.close().catch(() => undefined);
  }
}

export async function loadTopology(p: RulesFlipParams, ctx: KindContext): Promise<Topology> {
  const loaded = await loadTopologyFile(path.resolve(ctx.baseDir, p.topology)).catch((e: unknown) => {
    throw stepError((e as Error).message, { retryable: false, cause: e });
  });
  if (loaded.topology) return loaded.topology;
  const first = loaded.diagnostics.find((d) => d.severity === 'error');
  throw stepError(`invalid topology: ${first ? `${formatPosition(first)} ${first.message}` : loaded.file}`, { retryable: false });
}

/** Read-only: the current rules plus the flip the cut would make (computed, never written). */
export async function observeRules(p: RulesFlipParams, ctx: KindContext): Promise<RulesFlipState> {
  const topology = await loadTopology(p, ctx);
  const cut = cutList(p.cut);
  const dcOf = Object.fromEntries(topology.zones.map((z) => [z.name, z.dc]));
  const capacity = Object.fromEntries(topology.zones.map((z) => [z.name, z.capacity]));
  const rules = await withStore(p, ctx, (store) => store.read());
  if (!rules)
    return {
      version: 0,
      map: null,
      fence: null,
      cut,
      recordedCut: [],
      cutToRecord: [],
      ownedByCut: '',
      target: null,
      refusal: `${p.store} holds no rules yet (drctl rules init)`,
      dcOf,
      capacity,
    };
  const seen = { version: rules.version, map: encodeMap(rules.map), fence: rules.fence, cut, recordedCut: rules.cut, dcOf, capacity };
  const mismatch = shardCountProblem(topology, rules.map, `${p.store} version ${rules.version}`);
  if (mismatch) return { ...seen, cutToRecord: [], ownedByCut: '', target: null, refusal: mismatch };
  if (p.home === true) {
    const home = initialMap(topology);
    const away = home.owners.flatMap((zone, shard) => (rules.map.owners[shard] === zone ? [] : [shard]));
    return { ...seen, cutToRecord: rules.cut, ownedByCut: renderRanges(away, topology.shardCount), target: encodeMap(home), refusal: null };
  }
  const plan = computeCumulativeFlip(topology, rules, cut);
  const all = plan.ok ? plan.value.cut : [...new Set([...rules.cut, ...cut])];
  return {
    ...seen,
    cutToRecord: cut.filter((dc) => !rules.cut.includes(dc)),
    ownedByCut: renderRanges(shardsOwnedIn(topology, rules.map, all), topology.shardCount),
    target: plan.ok ? encodeMap(plan.value.newMap) : null,
    refusal: plan.ok ? null : plan.error.message,
  };
}

/** "shards 00-19: RZ01 (hz-a) → RZ03 (sh-a); …" between two observed maps. */
export function describeChange(from: StoredMap | null, to: StoredMap | null, dcOf: Readonly<Record<string, string>>): string {
  if (!from || !to || from.shardCount !== to.shardCount) return 'map replaced';
  const zones = Object.entries(dcOf).map(([name, dc]) => ({ name, dc, city: '', capacity: 0, shards: [], partners: [] }));
  const topology = { name: '', shardCount: from.shardCount, cities: [], dcs: [], zones };
  return describeMoves(diffMaps(decodeMap(from), decodeMap(to), topology));
}
