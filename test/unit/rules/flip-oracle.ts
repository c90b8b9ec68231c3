import type { ShardMap } from '../../../src/rules/shard-map.js';
import type { Topology, Zone } from '../../../src/rules/topology.js';

/**
 * An independent model of the flip rule, written differently from src/rules (explicit stacks, plain
 * loops, no shared helpers), for property tests:
 *  - reachable(z): every zone reachable from z through partner lists (breadth first): z's shards have
 *    a surviving owner iff one of them is outside the cut;
 *  - survivor(z): the zone the rule names: the first partner not cut, else the first not-cut zone met
 *    walking partner lists depth first in list order, never revisiting a zone;
 *  - the resulting map and each zone's load, and which zones go over capacity and by how much.
 */
export interface OracleResult {
  /** Cut zones owning shards whose partner graph reaches no surviving zone. */
  readonly stranded: ReadonlySet<string>;
  /** Zones that gain shards and end over capacity → shards over. */
  readonly over: ReadonlyMap<string, { readonly load: number; readonly capacity: number }>;
  /** The map when nothing is stranded (stranded shards keep their owner otherwise). */
  readonly newMap: ShardMap;
}

export function oracleFlip(t: Topology, map: ShardMap, cut: readonly string[]): OracleResult {
  const zone = new Map<string, Zone>();
  for (const z of t.zones) zone.set(z.name, z);
  const isCut = (name: string): boolean => {
    const z = zone.get(name);
    return z !== undefined && cut.indexOf(z.dc) >= 0;
  };
  const stranded = new Set<string>();
  const target = new Map<string, string>();
  for (const name of new Set(map.owners)) {
    if (!isCut(name)) continue;
    const reach = reachable(name, zone);
    if (![...reach].some((r) => !isCut(r))) {
      stranded.add(name);
      continue;
    }
    target.set(name, survivor(name, zone, isCut));
  }
  const owners = map.owners.map((o) => target.get(o) ?? o);
  const load = new Map<string, number>();
  for (const o of owners) load.set(o, (load.get(o) ?? 0) + 1);
  const over = new Map<string, { load: number; capacity: number }>();
  for (const z of t.zones) {
    const gains = owners.some((o, s) => o === z.name && map.owners[s] !== z.name);
    const n = load.get(z.name) ?? 0;
    if (gains && n > z.capacity) over.set(z.name, { load: n, capacity: z.capacity });
  }
  return { stranded, over, newMap: { owners } };
}

/** Every zone reachable from `from` (excluding itself unless a cycle returns to it). */
export function reachable(from: string, zone: ReadonlyMap<string, Zone>): Set<string> {
  const seen = new Set<string>();
  const queue = [...(zone.get(from)?.partners ?? [])];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (seen.has(next) || !zone.has(next)) continue;
    seen.add(next);
    queue.push(...(zone.get(next)?.partners ?? []));
  }
  return seen;
}

function survivor(from: string, zone: ReadonlyMap<string, Zone>, isCut: (z: string) => boolean): string {
  const direct = (zone.get(from)?.partners ?? []).filter((p) => zone.has(p));
  for (const p of direct) if (!isCut(p)) return p;
  const visited = new Set<string>([from]);
  const stack: string[][] = [[...direct].reverse()];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as string[];
    const p = top.pop();
    if (p === undefined) {
      stack.pop();
      continue;
    }
    if (visited.has(p)) continue;
    visited.add(p);
    if (!isCut(p)) return p;
    stack.push((zone.get(p)?.partners ?? []).filter((q) => zone.has(q)).reverse());
  }
  throw new Error(`oracle: no survivor for ${from} although one is reachable`);
}
