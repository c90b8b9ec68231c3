import { err, ok, type Result } from '../util/result.js';
import { diffMaps, type Move } from './diff.js';
import { renderRanges } from './ranges.js';
import { type RuleMap, type ShardMap } from './shard-map.js';
import { resolveSurvivor } from './survivor.js';
import { dcNames, indexZones, type Topology } from './topology.js';

export interface FlipPlan {
  /** Sorted, de-duplicated cut data centers. */
  readonly cut: readonly string[];
  readonly newMap: ShardMap;
  readonly moves: readonly Move[];
  /** Exactly the shards that move: what the write fence must cover. */
  readonly moving: readonly number[];
}

export type FlipProblem =
  | { readonly reason: 'unknown-dc'; readonly dc: string; readonly message: string }
  | { readonly reason: 'shard-count-mismatch'; readonly message: string }
  | { readonly reason: 'unknown-zone'; readonly zone: string; readonly message: string }
  | { readonly reason: 'no-surviving-owner'; readonly zone: string; readonly message: string }
  | { readonly reason: 'partner-loop'; readonly zone: string; readonly loop: readonly string[]; readonly message: string }
  | { readonly reason: 'over-capacity'; readonly zone: string; readonly load: number; readonly capacity: number; readonly message: string };

export interface FlipRefusal {
  /** All problems in one line. */
  readonly message: string;
  readonly problems: readonly FlipProblem[];
}

/**
 * PURE and deterministic. Every shard owned by a zone in a cut data center moves to that zone's
 * first partner not in a cut data center (when all of its partners are cut, their partner lists are
 * followed in order). Refuses when a shard would have no surviving owner, when partner lists loop
 * without reaching a survivor, or when a receiving zone would exceed its capacity. Flipping the
 * result again for the same cut changes nothing.
 */
export function computeFlip(topology: Topology, map: ShardMap, cutDcs: readonly string[]): Result<FlipPlan, FlipRefusal> {
  const cut = [...new Set(cutDcs)].sort();
  const problems: FlipProblem[] = [];
  const known = dcNames(topology);
  for (const dc of cut) {
    if (!known.includes(dc))
      problems.push({ reason: 'unknown-dc', dc, message: `unknown data center "${dc}" (known: ${known.join(', ')})` });
  }
  if (map.owners.length !== topology.shardCount) {
    problems.push({
      reason: 'shard-count-mismatch',
      message: `the map has ${map.owners.length} shards but the topology has ${topology.shardCount}`,
    });
  }
  if (problems.length > 0) return refuse(problems);
  const zones = indexZones(topology);
  const isCut = (zone: string): boolean => cut.includes(zones.get(zone)?.dc ?? '');
  const owners = [...map.owners];
  const stranded = new Map<string, number[]>();
  const target = new Map<string, ReturnType<typeof resolveSurvivor>>();
  owners.forEach((zone, shard) => {
    if (!zones.has(zone)) {
      addTo(stranded, zone, shard);
      return;
    }
    if (!isCut(zone)) return;
    let t = target.get(zone);
    if (!t) target.set(zone, (t = resolveSurvivor(zone, zones, isCut)));
    if (t.ok) owners[shard] = t.zone;
    else addTo(stranded, zone, shard);
  });
  for (const [zone, shards] of stranded) problems.push(strandedProblem(zone, shards, target.get(zone), topology));
  const newMap: ShardMap = { owners };
  problems.push(...capacityProblems(topology, map, newMap));
  if (problems.length > 0) return refuse(problems);
  const moves = diffMaps(map, newMap, topology);
  const moving = moves.flatMap((m) => m.shards).sort((a, b) => a - b);
  return ok({ cut, newMap, moves, moving });
}

/**
 * PURE. The flip for `requested` on top of the data centers the rules already record as cut: a data
 * center stays cut until a fail-back home (or a rollback to a version before its cut) restores it, so a
 * later flip never moves shards back into it. The plan's `cut` is the whole set.
 */
export function computeCumulativeFlip(
  topology: Topology,
  rules: Pick<RuleMap, 'map' | 'cut'>,
  requested: readonly string[],
): Result<FlipPlan, FlipRefusal> {
  const known = dcNames(topology);
  const stale = rules.cut.filter((dc) => !known.includes(dc));
  if (stale.length > 0) {
    return refuse(
      stale.map((dc) => ({
        reason: 'unknown-dc',
        dc,
        message: `the rules record "${dc}" as cut, but the topology has no such data center (known: ${known.join(', ')})`,
      })),
    );
  }
  return computeFlip(topology, rules.map, [...rules.cut, ...requested]);
}

function strandedProblem(
  zone: string,
  shards: readonly number[],
  t: ReturnType<typeof resolveSurvivor> | undefined,
  topology: Topology,
): FlipProblem {
  const what = `shards ${renderRanges(shards, topology.shardCount)} of ${zone}`;
  if (!t) return { reason: 'unknown-zone', zone, message: `${what} belong to a zone the topology does not know` };
  if (!t.ok && t.loop) {
    return {
      reason: 'partner-loop',
      zone,
      loop: t.loop,
      message: `${what} have no surviving owner: partner lists loop through cut data centers (${t.loop.join(' → ')})`,
    };
  }
  const dc = indexZones(topology).get(zone)?.dc ?? '?';
  return {
    reason: 'no-surviving-owner',
    zone,
    message: `${what} (${dc}) would have no surviving owner: every partner is in a cut data center or none is listed`,
  };
}

/** Zones that receive shards must stay within capacity. */
function capacityProblems(topology: Topology, before: ShardMap, after: ShardMap): FlipProblem[] {
  const load = new Map<string, number>();
  const gains = new Set<string>();
  after.owners.forEach((zone, shard) => {
    load.set(zone, (load.get(zone) ?? 0) + 1);
    if (before.owners[shard] !== zone) gains.add(zone);
  });
  const out: FlipProblem[] = [];
  for (const zone of topology.zones) {
    const n = load.get(zone.name) ?? 0;
    if (!gains.has(zone.name) || n <= zone.capacity) continue;
    out.push({
      reason: 'over-capacity',
      zone: zone.name,
      load: n,
      capacity: zone.capacity,
      message: `zone ${zone.name} (${zone.dc}) would own ${n} shards but its capacity is ${zone.capacity}: over by ${n - zone.capacity}`,
    });
  }
  return out;
}

function addTo(m: Map<string, number[]>, key: string, value: number): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}

const refuse = (problems: readonly FlipProblem[]): Result<never, FlipRefusal> =>
  err({ message: `refusing to flip: ${problems.map((p) => p.message).join('; ')}`, problems });
