import type { Diagnostic } from '../util/diagnostic.js';
import { hintFor } from '../util/did-you-mean.js';
import { DiagnosticSink, type DataPath, type Locate } from './diagnostics.js';
import { parseShardRange, type ShardRange } from './ranges.js';
import { checkPartners, checkShards, type ZoneDraft } from './topology-checks.js';
import { DEFAULT_SHARD_COUNT, MAX_SHARD_COUNT, TOPOLOGY_API_VERSION, TOPOLOGY_KIND, type DataCenter, type Topology } from './topology.js';

export interface TopologyValidation {
  /** Present when there is no error (warnings allowed). */
  readonly topology?: Topology;
  readonly diagnostics: readonly Diagnostic[];
}

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Check a parsed topology document; every problem becomes a Diagnostic positioned by `locate`. */
export function validateTopology(data: unknown, locate: Locate): TopologyValidation {
  const sink = new DiagnosticSink(locate);
  const root = expectObject(sink, data, [], 'the topology file');
  if (!root) return { diagnostics: sink.diagnostics };
  knownFields(sink, root, [], ['apiVersion', 'kind', 'metadata', 'spec']);
  if (root['apiVersion'] !== TOPOLOGY_API_VERSION) {
    sink.error('bad-api-version', ['apiVersion'], `apiVersion must be "${TOPOLOGY_API_VERSION}"`);
  }
  if (root['kind'] !== TOPOLOGY_KIND) sink.error('bad-kind', ['kind'], `kind must be "${TOPOLOGY_KIND}"`);
  const metadata = root['metadata'] === undefined ? {} : expectObject(sink, root['metadata'], ['metadata'], 'metadata');
  if (metadata) knownFields(sink, metadata, ['metadata'], ['name', 'description']);
  const name = typeof metadata?.['name'] === 'string' ? metadata['name'] : 'topology';
  const spec = expectObject(sink, root['spec'], ['spec'], 'spec');
  if (!spec) return { diagnostics: sink.diagnostics };
  knownFields(sink, spec, ['spec'], ['shardCount', 'cities']);
  const shardCount = readShardCount(sink, spec['shardCount']);
  const cities = expectObject(sink, spec['cities'], ['spec', 'cities'], 'spec.cities');
  const dcs: DataCenter[] = [];
  const zones: ZoneDraft[] = [];
  for (const [city, cityValue] of Object.entries(cities ?? {})) {
    readCity(sink, { city, value: cityValue, shardCount }, dcs, zones);
  }
  if (cities && zones.length === 0) sink.error('no-zones', ['spec', 'cities'], 'the topology has no zones');
  if (zones.length > 0) {
    checkShards(sink, zones, shardCount);
    checkPartners(sink, zones, dcs);
  }
  if (sink.hasErrors) return { diagnostics: sink.diagnostics };
  const topology: Topology = {
    name,
    shardCount,
    cities: Object.keys(cities ?? {}),
    dcs,
    zones: zones.map((z) => ({
      name: z.name,
      dc: z.dc,
      city: z.city,
      capacity: z.capacity ?? 0,
      shards: z.entries.map((e) => e.range),
      partners: z.partners.map((p) => p.name),
    })),
  };
  return { topology, diagnostics: sink.diagnostics };
}

function readShardCount(sink: DiagnosticSink, value: unknown): number {
  if (value === undefined) return DEFAULT_SHARD_COUNT;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_SHARD_COUNT) {
    sink.error(
      'bad-shard-count',
      ['spec', 'shardCount'],
      `shardCount must be an integer from 1 to ${MAX_SHARD_COUNT}, got ${JSON.stringify(value)}`,
    );
    return DEFAULT_SHARD_COUNT;
  }
  return value;
}

interface CityInput {
  readonly city: string;
  readonly value: unknown;
  readonly shardCount: number;
}

function readCity(sink: DiagnosticSink, input: CityInput, dcs: DataCenter[], zones: ZoneDraft[]): void {
  const cityPath = ['spec', 'cities', input.city];
  const city = expectObject(sink, input.value, cityPath, `city ${input.city}`);
  if (!city) return;
  knownFields(sink, city, cityPath, ['description', 'dcs']);
  const dcMap = expectObject(sink, city['dcs'], [...cityPath, 'dcs'], `dcs of city ${input.city}`);
  for (const [dc, dcValue] of Object.entries(dcMap ?? {})) {
    const dcPath = [...cityPath, 'dcs', dc];
    const other = dcs.find((d) => d.name === dc);
    if (other) sink.error('duplicate-dc', dcPath, `data center ${dc} is declared twice (also in city ${other.city})`, { part: 'key' });
    else dcs.push({ name: dc, city: input.city });
    const dcObj = expectObject(sink, dcValue, dcPath, `data center ${dc}`);
    if (!dcObj) continue;
    knownFields(sink, dcObj, dcPath, ['description', 'zones']);
    const zoneMap = expectObject(sink, dcObj['zones'], [...dcPath, 'zones'], `zones of data center ${dc}`);
    for (const [zone, zoneValue] of Object.entries(zoneMap ?? {})) {
      const zonePath = [...dcPath, 'zones', zone];
      const dup = zones.find((z) => z.name === zone);
      if (dup) sink.error('duplicate-zone', zonePath, `zone ${zone} is declared twice (also in ${dup.dc})`, { part: 'key' });
      const draft = readZone(sink, { name: zone, dc, city: input.city, path: zonePath, value: zoneValue, shardCount: input.shardCount });
      if (draft && !dup) zones.push(draft);
    }
  }
}

interface ZoneInput {
  readonly name: string;
  readonly dc: string;
  readonly city: string;
  readonly path: DataPath;
  readonly value: unknown;
  readonly shardCount: number;
}

function readZone(sink: DiagnosticSink, z: ZoneInput): ZoneDraft | undefined {
  const zone = expectObject(sink, z.value, z.path, `zone ${z.name}`);
  if (!zone) return undefined;
  knownFields(sink, zone, z.path, ['capacity', 'shards', 'partners', 'description']);
  const cap = zone['capacity'];
  let capacity: number | undefined;
  if (cap === undefined)
    sink.error('missing-field', z.path, `zone ${z.name} needs a capacity (the most shards it may own)`, { part: 'key' });
  else if (typeof cap !== 'number' || !Number.isInteger(cap) || cap < 0)
    sink.error('bad-capacity', [...z.path, 'capacity'], `capacity must be a whole number of shards, got ${JSON.stringify(cap)}`);
  else capacity = cap;
  const rawShards = zone['shards'] === undefined ? [] : Array.isArray(zone['shards']) ? zone['shards'] : [zone['shards']];
  const single = !Array.isArray(zone['shards']);
  const entries: { range: ShardRange; path: DataPath }[] = [];
  rawShards.forEach((value, i) => {
    const path = single ? [...z.path, 'shards'] : [...z.path, 'shards', i];
    const parsed = parseShardRange(value, z.shardCount);
    if (parsed.ok) entries.push({ range: parsed.range, path });
    else sink.error('bad-shard-range', path, parsed.message);
  });
  const partners: { name: string; path: DataPath }[] = [];
  const rawPartners = zone['partners'];
  if (rawPartners !== undefined && !Array.isArray(rawPartners)) {
    sink.error('bad-partners', [...z.path, 'partners'], 'partners must be a list of zone names, e.g. [RZ03, RZ05]');
  } else {
    (rawPartners ?? []).forEach((p: unknown, i: number) => {
      if (typeof p === 'string') partners.push({ name: p, path: [...z.path, 'partners', i] });
      else sink.error('bad-partners', [...z.path, 'partners', i], `a partner must be a zone name, got ${JSON.stringify(p)}`);
    });
  }
  return { name: z.name, dc: z.dc, city: z.city, path: z.path, capacity, entries, partners };
}

function expectObject(sink: DiagnosticSink, value: unknown, path: DataPath, what: string): Obj | undefined {
  if (isObj(value)) return value;
  const got =
    value === undefined || value === null ? 'nothing' : Array.isArray(value) ? 'a list' : `${typeof value} ${JSON.stringify(value)}`;
  sink.error(
    value === undefined ? 'missing-field' : 'bad-type',
    path,
    `${what} must be a map, got ${got}`,
    path.length > 0 && value === undefined ? { part: 'key' } : {},
  );
  return undefined;
}

function knownFields(sink: DiagnosticSink, obj: Obj, path: DataPath, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    sink.error('unknown-field', [...path, key], `unknown field "${key}"${path.length ? ` in ${String(path[path.length - 1])}` : ''}`, {
      part: 'key',
      hint: hintFor(key, allowed) ?? `known fields: ${allowed.join(', ')}`,
    });
  }
}
