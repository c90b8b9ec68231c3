import { renderRanges } from './ranges.js';
import type { ShardMap } from './shard-map.js';
import { indexZones, type Topology } from './topology.js';

export interface ZoneRef {
  readonly zone: string;
  /** Data center of the zone (undefined when the topology does not know it). */
  readonly dc: string | undefined;
}

/** Shards that change owner from one zone to another. */
export interface Move {
  readonly shards: readonly number[];
  /** Compact ranges: "00-19, 42". */
  readonly ranges: string;
  readonly from: ZoneRef;
  readonly to: ZoneRef;
}

/**
 * What changes from map `a` to map `b`, grouped by (from zone, to zone), ordered by first shard.
 * Both maps must have the same number of shards.
 */
export function diffMaps(a: ShardMap, b: ShardMap, topology?: Topology): readonly Move[] {
  if (a.owners.length !== b.owners.length) {
    throw new RangeError(`cannot compare maps of ${a.owners.length} and ${b.owners.length} shards`);
  }
  const zones = topology ? indexZones(topology) : new Map();
  const groups = new Map<string, { from: string; to: string; shards: number[] }>();
  a.owners.forEach((from, shard) => {
    const to = b.owners[shard] ?? '';
    if (from === to) return;
    const key = `${from}\u0000${to}`;
    const g = groups.get(key);
    if (g) g.shards.push(shard);
    else groups.set(key, { from, to, shards: [shard] });
  });
  const shardCount = a.owners.length;
  return [...groups.values()].map((g) => ({
    shards: g.shards,
    ranges: renderRanges(g.shards, shardCount),
    from: { zone: g.from, dc: zones.get(g.from)?.dc },
    to: { zone: g.to, dc: zones.get(g.to)?.dc },
  }));
}

/** "shards 00-19: RZ01 (hz-a) → RZ03 (sh-a)". */
export function describeMove(move: Move): string {
  const noun = move.shards.length === 1 ? 'shard' : 'shards';
  return `${noun} ${move.ranges}: ${refLabel(move.from)} → ${refLabel(move.to)}`;
}

export function describeMoves(moves: readonly Move[]): string {
  return moves.length === 0 ? 'no shard moves' : moves.map(describeMove).join('; ');
}

const refLabel = (r: ZoneRef): string => (r.dc === undefined ? r.zone : `${r.zone} (${r.dc})`);

/** JSON form of a move (no per-shard array). */
export const moveToJson = (m: Move): Readonly<Record<string, unknown>> => ({
  shards: m.ranges,
  count: m.shards.length,
  from: m.from,
  to: m.to,
});
