import { fenceCovers, type ShardFence } from './fence.js';
import { formatShard } from './ranges.js';
import { indexZones, type Topology } from './topology.js';

export type { ShardFence } from './fence.js';

/** Who owns each shard: owners[shard] = zone name. shardCount = owners.length. */
export interface ShardMap {
  readonly owners: readonly string[];
}

/** The published routing rules: what applications read from the configuration centre. */
export interface RuleMap {
  /** Increases by one on every change (fence, map, unfence, rollback). */
  readonly version: number;
  readonly map: ShardMap;
  /** null when no shard is write-fenced. */
  readonly fence: ShardFence | null;
  /**
   * The data centers cut so far (sorted): a flip adds to them, a fail-back home clears them, a rollback
   * restores the set of the version it restores. A later flip never moves shards into a cut one.
   */
  readonly cut: readonly string[];
}

/** The map a topology file describes (before any flip). */
export function initialMap(topology: Topology): ShardMap {
  const owners = new Array<string>(topology.shardCount).fill('');
  for (const zone of topology.zones) {
    for (const r of zone.shards) for (let s = r.from; s <= r.to; s++) owners[s] = zone.name;
  }
  return { owners };
}

/** Why a map cannot be read with a topology (a different number of shards), or undefined. */
export function shardCountProblem(topology: Topology, map: ShardMap, where: string): string | undefined {
  if (map.owners.length === topology.shardCount) return undefined;
  return `${where} has ${map.owners.length} shards but topology ${topology.name} has ${topology.shardCount}: they describe different shardings`;
}

export function mapsEqual(a: ShardMap, b: ShardMap): boolean {
  return a.owners.length === b.owners.length && a.owners.every((z, i) => z === b.owners[i]);
}

/** Shards per zone, in shard order. */
export function shardsByZone(map: ShardMap): ReadonlyMap<string, readonly number[]> {
  const out = new Map<string, number[]>();
  map.owners.forEach((zone, shard) => {
    const list = out.get(zone);
    if (list) list.push(shard);
    else out.set(zone, [shard]);
  });
  return out;
}

/** Shards owned by zones located in the given data centers. */
export function shardsOwnedIn(topology: Topology, map: ShardMap, dcs: readonly string[]): readonly number[] {
  const zones = indexZones(topology);
  const out: number[] = [];
  map.owners.forEach((zone, shard) => {
    const dc = zones.get(zone)?.dc;
    if (dc !== undefined && dcs.includes(dc)) out.push(shard);
  });
  return out;
}

export interface Route {
  readonly userId: string;
  readonly shard: number;
  /** Zero-padded to the width of the largest shard: "66", "0066". */
  readonly shardLabel: string;
  readonly zone: string;
  readonly dc: string | undefined;
  readonly city: string | undefined;
  /** False while the shard is write-fenced (a flip is moving it). */
  readonly writable: boolean;
}

/** user id (decimal digits, any length) → shard = userId mod shardCount → zone → data center. */
export function route(topology: Topology, rules: Pick<RuleMap, 'map' | 'fence'>, userId: string): Route {
  if (!/^\d+$/.test(userId)) throw new RangeError(`a user id is a string of digits, got "${userId}"`);
  const shardCount = rules.map.owners.length;
  const shard = Number(BigInt(userId) % BigInt(shardCount));
  const zoneName = rules.map.owners[shard] ?? '';
  const zone = indexZones(topology).get(zoneName);
  return {
    userId,
    shard,
    shardLabel: formatShard(shard, shardCount),
    zone: zoneName,
    dc: zone?.dc,
    city: zone?.city,
    writable: !fenceCovers(rules.fence, shard),
  };
}

/** Compact storage form: runs of [zone, from, to]. A 10,000-shard map in 100 zones is ~100 entries. */
export interface StoredMap {
  readonly shardCount: number;
  readonly runs: readonly (readonly [string, number, number])[];
}

export function encodeMap(map: ShardMap): StoredMap {
  const runs: [string, number, number][] = [];
  map.owners.forEach((zone, shard) => {
    const last = runs[runs.length - 1];
    if (last && last[0] === zone && last[2] === shard - 1) last[2] = shard;
    else runs.push([zone, shard, shard]);
  });
  return { shardCount: map.owners.length, runs };
}

export function decodeMap(stored: StoredMap): ShardMap {
  const owners = new Array<string>(stored.shardCount).fill('');
  for (const [zone, from, to] of stored.runs) for (let s = from; s <= to; s++) owners[s] = zone;
  return { owners };
}
