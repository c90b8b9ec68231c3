import type { ShardRange } from './ranges.js';

/**
 * The unit model: cities → data centers → logical zones. Each zone owns shards (a user's shard is
 * userId mod shardCount), can take at most `capacity` shards, and lists ordered failover partners.
 * Plain readonly data, produced by validateTopology() from a YAML file (see runbooks/lab/topology.yaml).
 */
export interface Topology {
  readonly name: string;
  /** Number of shards, 0 … shardCount-1 (default 100). */
  readonly shardCount: number;
  readonly cities: readonly string[];
  readonly dcs: readonly DataCenter[];
  /** In file order (the order used for ties and reports). */
  readonly zones: readonly Zone[];
}

export interface DataCenter {
  readonly name: string;
  readonly city: string;
}

export interface Zone {
  readonly name: string;
  readonly dc: string;
  readonly city: string;
  /** Most shards this zone may own. */
  readonly capacity: number;
  /** Shards assigned in the topology (the initial map), as written. */
  readonly shards: readonly ShardRange[];
  /** Ordered failover partners (zone names): the first one not in a cut data center takes over. */
  readonly partners: readonly string[];
}

export const DEFAULT_SHARD_COUNT = 100;
export const MAX_SHARD_COUNT = 1_000_000;
export const TOPOLOGY_API_VERSION = 'drctl/v1';
export const TOPOLOGY_KIND = 'Topology';

export type ZoneIndex = ReadonlyMap<string, Zone>;

export function indexZones(topology: Topology): ZoneIndex {
  return new Map(topology.zones.map((z) => [z.name, z]));
}

export function dcNames(topology: Topology): readonly string[] {
  return topology.dcs.map((d) => d.name);
}

/** "RZ01 (hz-a)": how zones are named in messages and plans. */
export function zoneLabel(zone: string, zones: ZoneIndex): string {
  const z = zones.get(zone);
  return z ? `${zone} (${z.dc})` : `${zone} (unknown zone)`;
}
