import { hintFor } from '../util/did-you-mean.js';
import type { DataPath, DiagnosticSink } from './diagnostics.js';
import { renderRanges, type ShardRange } from './ranges.js';
import type { DataCenter } from './topology.js';

/** A zone as read from the file, with the paths of its parts (for positions). */
export interface ZoneDraft {
  readonly name: string;
  readonly dc: string;
  readonly city: string;
  readonly path: DataPath;
  readonly capacity: number | undefined;
  readonly entries: readonly { readonly range: ShardRange; readonly path: DataPath }[];
  readonly partners: readonly { readonly name: string; readonly path: DataPath }[];
}

interface Entry {
  readonly zone: ZoneDraft;
  readonly path: DataPath;
}

/** Every shard assigned exactly once; no zone assigned more than its capacity. */
export function checkShards(sink: DiagnosticSink, zones: readonly ZoneDraft[], shardCount: number): void {
  const entries: Entry[] = zones.flatMap((zone) => zone.entries.map((e) => ({ zone, path: e.path })));
  const owner = new Int32Array(shardCount).fill(-1);
  let i = 0;
  for (const zone of zones) {
    for (const e of zone.entries) {
      const clashes = new Map<number, number[]>();
      for (let s = e.range.from; s <= e.range.to; s++) {
        const prev = owner[s] ?? -1;
        if (prev === -1) owner[s] = i;
        else {
          const list = clashes.get(prev);
          if (list) list.push(s);
          else clashes.set(prev, [s]);
        }
      }
      for (const [prev, shards] of clashes) reportOverlap(sink, { here: entries[i], other: entries[prev], shards, shardCount });
      i++;
    }
  }
  const missing: number[] = [];
  owner.forEach((o, s) => {
    if (o === -1) missing.push(s);
  });
  if (missing.length > 0) {
    sink.error(
      'shards-unassigned',
      ['spec', 'cities'],
      `${plural(missing.length, 'shard')} ${renderRanges(missing, shardCount)} ${missing.length === 1 ? 'is' : 'are'} not assigned to any zone`,
      {
        part: 'key',
        hint: `every shard 0-${shardCount - 1} needs exactly one zone; add the ranges to a zone's shards`,
      },
    );
  }
  for (const zone of zones) checkCapacity(sink, zone, shardCount);
}

function reportOverlap(
  sink: DiagnosticSink,
  o: { here: Entry | undefined; other: Entry | undefined; shards: number[]; shardCount: number },
): void {
  if (!o.here || !o.other) return;
  const ranges = renderRanges(o.shards, o.shardCount);
  const same = o.here.zone.name === o.other.zone.name;
  const message = same
    ? `${plural(o.shards.length, 'shard')} ${ranges} ${o.shards.length === 1 ? 'is' : 'are'} listed twice for zone ${o.here.zone.name}`
    : `${plural(o.shards.length, 'shard')} ${ranges} ${o.shards.length === 1 ? 'is' : 'are'} assigned to both ${o.other.zone.name} and ${o.here.zone.name}`;
  sink.error('shards-overlap', o.here.path, message, {
    related: [{ path: o.other.path, message: `first assigned to ${o.other.zone.name} here` }],
  });
}

function checkCapacity(sink: DiagnosticSink, zone: ZoneDraft, shardCount: number): void {
  if (zone.capacity === undefined) return;
  const shards = new Set<number>();
  for (const e of zone.entries) for (let s = e.range.from; s <= e.range.to; s++) shards.add(s);
  if (shards.size <= zone.capacity) return;
  sink.error(
    'capacity-exceeded',
    [...zone.path, 'capacity'],
    `zone ${zone.name} has capacity ${zone.capacity} but is assigned ${shards.size} shards (${renderRanges(shards, shardCount)}): ${shards.size - zone.capacity} over`,
    {
      hint: `raise capacity to at least ${shards.size} or assign fewer shards`,
    },
  );
}

/** Partners name known zones, not the zone itself; warn on same-DC partners and zones without any. */
export function checkPartners(sink: DiagnosticSink, zones: readonly ZoneDraft[], dcs: readonly DataCenter[]): void {
  const byName = new Map(zones.map((z) => [z.name, z]));
  for (const zone of zones) {
    const seen = new Set<string>();
    for (const p of zone.partners) {
      const target = byName.get(p.name);
      if (p.name === zone.name) sink.error('partner-self', p.path, `zone ${zone.name} lists itself as a partner`);
      else if (!target)
        sink.error('unknown-partner', p.path, `unknown partner zone "${p.name}" for ${zone.name}`, {
          hint: unknownPartnerHint(p.name, zone.name, zones, dcs),
        });
      else if (seen.has(p.name)) sink.warning('duplicate-partner', p.path, `partner ${p.name} is listed twice for ${zone.name}`);
      else if (target.dc === zone.dc) {
        sink.warning(
          'partner-same-dc',
          p.path,
          `partner ${p.name} is in the same data center (${zone.dc}) as ${zone.name}: it cannot take over when ${zone.dc} is cut`,
        );
      }
      seen.add(p.name);
    }
    if (zone.partners.length === 0 && zone.entries.length > 0) {
      sink.warning('no-partners', zone.path, `zone ${zone.name} has no partners: its shards have nowhere to go if ${zone.dc} is cut`, {
        part: 'key',
      });
    }
  }
}

/** A suggestion among the other zones (a zone cannot partner itself, so it is never suggested). */
function unknownPartnerHint(name: string, self: string, zones: readonly ZoneDraft[], dcs: readonly DataCenter[]): string {
  const dc = dcs.find((d) => d.name === name);
  if (dc) {
    const inDc = zones.filter((z) => z.dc === dc.name).map((z) => z.name);
    return `partners name zones, and ${name} is a data center${inDc.length ? ` (its zones: ${inDc.join(', ')})` : ''}`;
  }
  const others = zones.map((z) => z.name).filter((z) => z !== self);
  return hintFor(name, others) ?? `known zones: ${others.join(', ')}`;
}

const plural = (n: number, word: string): string => (n === 1 ? word : `${word}s`);
