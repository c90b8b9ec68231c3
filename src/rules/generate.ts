import { formatRange } from './ranges.js';
import { TOPOLOGY_API_VERSION, TOPOLOGY_KIND, type DataCenter, type Topology, type Zone } from './topology.js';

export interface GenerateOptions {
  readonly shardCount: number;
  readonly zoneCount: number;
  /** Default: max(1, zoneCount / 2) (at most zoneCount). */
  readonly dcCount?: number;
  /** Default: min(3, dcCount). */
  readonly cityCount?: number;
  /** Partners per zone (default 2, at most zoneCount - 1). */
  readonly partnerCount?: number;
  /** Spare capacity per zone, in shards: each zone gets a spare in 0…maxSpare (default: its own load). */
  readonly maxSpare?: number;
  /** Seeds the uneven shard split, spares and partner choice; same seed → same topology. */
  readonly seed?: number;
}

/**
 * A valid topology with N shards over M zones, for property tests and benchmarks. Shards are split
 * into contiguous blocks of uneven (seeded) sizes; zones are spread round-robin over data centers and
 * data centers over cities; partners are other zones picked by the seeded generator.
 */
export function generateTopology(o: GenerateOptions): Topology {
  const next = lcg(o.seed ?? 1);
  const zoneCount = Math.max(1, o.zoneCount);
  const dcCount = clamp(o.dcCount ?? Math.ceil(zoneCount / 2), 1, zoneCount);
  const cityCount = clamp(o.cityCount ?? Math.min(3, dcCount), 1, dcCount);
  const dcs: DataCenter[] = Array.from({ length: dcCount }, (_, i) => ({
    name: `dc${pad(i + 1, dcCount)}`,
    city: `city${pad((i % cityCount) + 1, cityCount)}`,
  }));
  const sizes = splitShards(o.shardCount, zoneCount, next);
  const names = Array.from({ length: zoneCount }, (_, i) => `Z${pad(i + 1, zoneCount)}`);
  let start = 0;
  const zones: Zone[] = names.map((name, i) => {
    const dc = dcs[i % dcCount] ?? { name: 'dc1', city: 'city1' };
    const size = sizes[i] ?? 0;
    const shards = size > 0 ? [{ from: start, to: start + size - 1 }] : [];
    start += size;
    const maxSpare = o.maxSpare ?? size;
    const capacity = size + Math.floor(next() * (maxSpare + 1));
    return { name, dc: dc.name, city: dc.city, capacity, shards, partners: pickPartners(names, i, o.partnerCount ?? 2, next) };
  });
  return {
    name: `generated-${o.shardCount}x${zoneCount}`,
    shardCount: o.shardCount,
    cities: [...new Set(dcs.map((d) => d.city))],
    dcs,
    zones,
  };
}

/** The YAML document (as plain data) for a topology: stringify it with the yaml package. */
export function toTopologyDocument(t: Topology): Readonly<Record<string, unknown>> {
  const cities: Record<string, unknown> = {};
  for (const city of t.cities) {
    const dcs: Record<string, unknown> = {};
    for (const dc of t.dcs.filter((d) => d.city === city)) {
      const zones: Record<string, unknown> = {};
      for (const z of t.zones.filter((zone) => zone.dc === dc.name)) {
        zones[z.name] = { capacity: z.capacity, shards: z.shards.map((r) => formatRange(r, t.shardCount)), partners: [...z.partners] };
      }
      dcs[dc.name] = { zones };
    }
    cities[city] = { dcs };
  }
  return { apiVersion: TOPOLOGY_API_VERSION, kind: TOPOLOGY_KIND, metadata: { name: t.name }, spec: { shardCount: t.shardCount, cities } };
}

function splitShards(shardCount: number, zones: number, next: () => number): number[] {
  const weights = Array.from({ length: zones }, () => 1 + next() * 3);
  const total = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.floor((w / total) * shardCount));
  let rest = shardCount - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % zones, rest--) sizes[i] = (sizes[i] ?? 0) + 1;
  return sizes;
}

function pickPartners(names: readonly string[], self: number, count: number, next: () => number): string[] {
  const others = names.filter((_, i) => i !== self);
  for (let i = others.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [others[i], others[j]] = [others[j] ?? '', others[i] ?? ''];
  }
  return others.slice(0, clamp(count, 0, others.length));
}

/** Small deterministic generator (mulberry32). */
function lcg(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));
const pad = (n: number, max: number): string => String(n).padStart(String(max).length, '0');
