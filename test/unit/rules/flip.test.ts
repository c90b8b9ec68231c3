import { describe, expect, test } from 'vitest';
import { describeMoves, diffMaps, moveToJson } from '../../../src/rules/diff.js';
import { computeFlip } from '../../../src/rules/flip.js';
import { initialMap } from '../../../src/rules/shard-map.js';
import type { Topology } from '../../../src/rules/topology.js';
import { labTopology } from './lab-topology.js';

const zone = (name: string, dc: string, capacity: number, from: number, to: number, partners: string[]) => ({
  name,
  dc,
  city: dc,
  capacity,
  shards: from <= to ? [{ from, to }] : [],
  partners,
});
const topo = (zones: ReturnType<typeof zone>[], shardCount = 10): Topology => ({
  name: 't',
  shardCount,
  cities: [...new Set(zones.map((z) => z.city))],
  dcs: [...new Set(zones.map((z) => z.dc))].map((d) => ({ name: d, city: d })),
  zones,
});

describe('computeFlip on the lab topology', () => {
  test('the Hangzhou cut moves RZ01 → RZ03 and RZ02 → RZ04', async () => {
    const t = await labTopology();
    const r = computeFlip(t, initialMap(t), ['hz-b', 'hz-a', 'hz-a']);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.cut).toEqual(['hz-a', 'hz-b']);
    expect(describeMoves(r.value.moves)).toBe('shards 00-19: RZ01 (hz-a) → RZ03 (sh-a); shards 20-39: RZ02 (hz-b) → RZ04 (sh-b)');
    expect(r.value.moves.map(moveToJson)[0]).toEqual({
      shards: '00-19',
      count: 20,
      from: { zone: 'RZ01', dc: 'hz-a' },
      to: { zone: 'RZ03', dc: 'sh-a' },
    });
    expect(r.value.moving).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  test('cutting Hangzhou and Shanghai overloads RZ05: refused, saying by how much', async () => {
    const t = await labTopology();
    const r = computeFlip(t, initialMap(t), ['hz-a', 'hz-b', 'sh-a', 'sh-b']);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toBe('refusing to flip: zone RZ05 (sz-a) would own 100 shards but its capacity is 60: over by 40');
  });

  test('an unknown data center is refused', async () => {
    const t = await labTopology();
    const r = computeFlip(t, initialMap(t), ['hz-c']);
    expect(!r.ok && r.error.problems).toEqual([
      { reason: 'unknown-dc', dc: 'hz-c', message: 'unknown data center "hz-c" (known: hz-a, hz-b, sh-a, sh-b, sz-a)' },
    ]);
  });

  test('an empty cut or a cut of an empty dc changes nothing', async () => {
    const t = await labTopology();
    const r = computeFlip(t, initialMap(t), []);
    expect(r.ok && r.value.moves).toEqual([]);
  });
});

describe('computeFlip refusals and fallbacks', () => {
  test('no surviving owner when every partner is cut and lists end', () => {
    const t = topo([zone('A', 'd1', 10, 0, 4, ['B']), zone('B', 'd2', 10, 5, 9, [])]);
    const r = computeFlip(t, initialMap(t), ['d1', 'd2']);
    expect(!r.ok && r.error.problems.map((p) => p.message)).toEqual([
      'shards 0-4 of A (d1) would have no surviving owner: every partner is in a cut data center or none is listed',
      'shards 5-9 of B (d2) would have no surviving owner: every partner is in a cut data center or none is listed',
    ]);
  });

  test('partner lists that loop through cut data centers are refused, naming the loop', () => {
    const t = topo([zone('A', 'd1', 10, 0, 4, ['B']), zone('B', 'd2', 10, 5, 9, ['A']), zone('C', 'd3', 10, 10, 9, [])]);
    const r = computeFlip(t, initialMap(t), ['d1', 'd2']);
    expect(!r.ok && r.error.problems.map((p) => [p.reason, p.message])).toEqual([
      ['partner-loop', 'shards 0-4 of A have no surviving owner: partner lists loop through cut data centers (A → B → A)'],
      ['partner-loop', 'shards 5-9 of B have no surviving owner: partner lists loop through cut data centers (B → A → B)'],
    ]);
  });

  test('when every direct partner is cut, their partner lists are followed in order', () => {
    const t = topo([zone('A', 'd1', 10, 0, 4, ['B']), zone('B', 'd2', 10, 5, 9, ['A', 'C']), zone('C', 'd3', 10, 10, 9, [])]);
    const r = computeFlip(t, initialMap(t), ['d1', 'd2']);
    expect(r.ok && describeMoves(r.value.moves)).toBe('shards 0-4: A (d1) → C (d3); shards 5-9: B (d2) → C (d3)');
  });

  test('the first surviving partner wins, even if a later one is bigger', () => {
    const t = topo([zone('A', 'd1', 10, 0, 4, ['B', 'C']), zone('B', 'd2', 10, 5, 9, []), zone('C', 'd3', 10, 10, 9, [])]);
    const r = computeFlip(t, initialMap(t), ['d1']);
    expect(r.ok && describeMoves(diffMaps(initialMap(t), r.value.newMap, t))).toBe('shards 0-4: A (d1) → B (d2)');
    const r2 = computeFlip(t, initialMap(t), ['d1', 'd2']);
    expect(!r2.ok && r2.error.problems.map((p) => `${p.reason} ${p.message}`)).toEqual([
      'no-surviving-owner shards 5-9 of B (d2) would have no surviving owner: every partner is in a cut data center or none is listed',
    ]);
  });

  test('a map naming a zone the topology does not know is refused', () => {
    const t = topo([zone('A', 'd1', 10, 0, 9, [])]);
    const r = computeFlip(t, { owners: [...initialMap(t).owners.slice(0, 9), 'Z'] }, ['d1']);
    expect(!r.ok && r.error.problems.map((p) => p.reason)).toContain('unknown-zone');
  });
});
