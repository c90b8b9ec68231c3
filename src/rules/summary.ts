import { renderRanges } from './ranges.js';
import { shardsByZone, type ShardMap } from './shard-map.js';
import type { Topology } from './topology.js';

export interface ZoneLoad {
  readonly zone: string;
  /** undefined for a zone the map names but the topology does not know. */
  readonly dc: string | undefined;
  readonly city: string | undefined;
  readonly shards: string;
  readonly load: number;
  readonly capacity: number | undefined;
}

export interface DcLoad {
  readonly dc: string;
  readonly city: string;
  readonly zones: readonly string[];
  readonly load: number;
  readonly capacity: number;
}

/** Load versus capacity per zone and per data center, for `rules show`. */
export function summarizeMap(topology: Topology, map: ShardMap): { readonly zones: readonly ZoneLoad[]; readonly dcs: readonly DcLoad[] } {
  const owned = shardsByZone(map);
  const shardCount = map.owners.length;
  const zones: ZoneLoad[] = topology.zones.map((z) => {
    const shards = owned.get(z.name) ?? [];
    return { zone: z.name, dc: z.dc, city: z.city, shards: renderRanges(shards, shardCount), load: shards.length, capacity: z.capacity };
  });
  for (const [zone, shards] of owned) {
    if (!topology.zones.some((z) => z.name === zone)) {
      zones.push({
        zone,
        dc: undefined,
        city: undefined,
        shards: renderRanges(shards, shardCount),
        load: shards.length,
        capacity: undefined,
      });
    }
  }
  const dcs = topology.dcs.map((d) => {
    const inDc = zones.filter((z) => z.dc === d.name);
    return {
      dc: d.name,
      city: d.city,
      zones: inDc.map((z) => z.zone),
      load: sum(inDc.map((z) => z.load)),
      capacity: sum(inDc.map((z) => z.capacity ?? 0)),
    };
  });
  return { zones, dcs };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
