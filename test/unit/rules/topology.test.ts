import { stringify } from 'yaml';
import { describe, expect, test } from 'vitest';
import { generateTopology, toTopologyDocument } from '../../../src/rules/generate.js';
import { parseTopologyText } from '../../../src/rules/load-topology.js';
import { labTopology } from './lab-topology.js';

/** "file:line:column code message" per diagnostic, for exact assertions. */
const lines = (text: string): string[] =>
  parseTopologyText(text, 't.yaml').diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}`);

const HEAD = `apiVersion: drctl/v1
kind: Topology
spec:
  shardCount: 10
  cities:
    hz:
      dcs:
`;

describe('validateTopology', () => {
  test('the lab topology is valid, with its 5 zones and 100 shards', async () => {
    const t = await labTopology();
    expect(t.shardCount).toBe(100);
    expect(t.zones.map((z) => `${z.name}@${z.dc}`)).toEqual(['RZ01@hz-a', 'RZ02@hz-b', 'RZ03@sh-a', 'RZ04@sh-b', 'RZ05@sz-a']);
    expect(t.zones[0]?.partners).toEqual(['RZ03', 'RZ05']);
  });

  test('overlapping and missing shards, with positions', () => {
    const text = `${HEAD}        hz-a:
          zones:
            A: { capacity: 10, shards: ["0-4"], partners: [B] }
            B: { capacity: 10, shards: ["3-5", "8"], partners: [A] }
`;
    expect(lines(text)).toEqual([
      't.yaml:11:41 error shards-overlap: shards 3-4 are assigned to both A and B',
      't.yaml:5:3 error shards-unassigned: shards 6-7, 9 are not assigned to any zone',
      't.yaml:10:60 warning partner-same-dc: partner B is in the same data center (hz-a) as A: it cannot take over when hz-a is cut',
      't.yaml:11:65 warning partner-same-dc: partner A is in the same data center (hz-a) as B: it cannot take over when hz-a is cut',
    ]);
    const overlap = parseTopologyText(text, 't.yaml').diagnostics[0];
    expect(overlap?.related).toEqual([{ file: 't.yaml', line: 10, column: 41, message: 'first assigned to A here' }]);
  });

  test('bad range syntax, capacity below assigned, unknown partner and unknown field', () => {
    const text = `${HEAD}        hz-a:
          zones:
            A:
              capacity: 3
              shards: ["0-4", "9-7"]
              partners: [hz-b]
              weight: 2
        hz-b:
          zones:
            B: { capacity: 10, shards: "5-9", partnrs: [A] }
`;
    expect(lines(text)).toEqual([
      't.yaml:14:15 error unknown-field: unknown field "weight" in A',
      't.yaml:12:31 error bad-shard-range: bad shard range "9-7": 7 is before 9',
      't.yaml:17:47 error unknown-field: unknown field "partnrs" in B',
      't.yaml:11:25 error capacity-exceeded: zone A has capacity 3 but is assigned 5 shards (0-4): 2 over',
      't.yaml:13:26 error unknown-partner: unknown partner zone "hz-b" for A',
      't.yaml:17:13 warning no-partners: zone B has no partners: its shards have nowhere to go if hz-b is cut',
    ]);
    const ds = parseTopologyText(text, 't.yaml').diagnostics;
    expect(ds.find((d) => d.code === 'unknown-partner')?.hint).toBe('partners name zones, and hz-b is a data center (its zones: B)');
    expect(ds.find((d) => d.message.includes('partnrs'))?.hint).toBe('did you mean "partners"?');
  });

  test('an unknown partner is never "corrected" to the zone itself', () => {
    const text = `${HEAD}        hz-a:
          zones:
            RZ01: { capacity: 10, shards: ["0-4"], partners: [RZ09] }
        hz-b:
          zones:
            RZ02: { capacity: 10, shards: ["5-9"], partners: [RZ01, RZ0] }
`;
    const hints = parseTopologyText(text, 't.yaml')
      .diagnostics.filter((d) => d.code === 'unknown-partner')
      .map((d) => `${d.message} | ${d.hint ?? ''}`);
    expect(hints).toEqual([
      'unknown partner zone "RZ09" for RZ01 | did you mean "RZ02"?',
      'unknown partner zone "RZ0" for RZ02 | did you mean "RZ01"?',
    ]);
  });

  test('two zones overlapping on 40,000 shards: one diagnostic naming the whole range', () => {
    const text = `apiVersion: drctl/v1
kind: Topology
spec:
  shardCount: 40000
  cities:
    c:
      dcs:
        d1: { zones: { A: { capacity: 40000, shards: ["0-39999"], partners: [B] } } }
        d2: { zones: { B: { capacity: 40000, shards: ["0-39999"], partners: [A] } } }
`;
    expect(lines(text)).toEqual(['t.yaml:9:55 error shards-overlap: shards 00000-39999 are assigned to both A and B']);
  });

  test('document-level problems: apiVersion, kind, shardCount, missing capacity, duplicate zone', () => {
    const text = `apiVersion: v2
kind: Runbook
spec:
  shardCount: 0
  cities:
    hz:
      dcs:
        hz-a:
          zones:
            A: { shards: ["0-99"] }
        hz-b:
          zones:
            A: { capacity: 1 }
`;
    expect(lines(text)).toEqual([
      't.yaml:1:13 error bad-api-version: apiVersion must be "drctl/v1"',
      't.yaml:2:7 error bad-kind: kind must be "Topology"',
      't.yaml:4:15 error bad-shard-count: shardCount must be an integer from 1 to 1000000, got 0',
      't.yaml:10:13 error missing-field: zone A needs a capacity (the most shards it may own)',
      't.yaml:13:13 error duplicate-zone: zone A is declared twice (also in hz-a)',
      't.yaml:10:13 warning no-partners: zone A has no partners: its shards have nowhere to go if hz-a is cut',
    ]);
  });

  test('YAML syntax errors are diagnostics too', () => {
    expect(lines('spec: [1, 2\n')[0]).toMatch(/^t\.yaml:\d+:\d+ error yaml-syntax: /);
  });

  test('generated topologies (up to 10,000 shards) round-trip through YAML', () => {
    for (const o of [
      { shardCount: 100, zoneCount: 5 },
      { shardCount: 10_000, zoneCount: 100, seed: 3 },
    ]) {
      const t = generateTopology(o);
      const loaded = parseTopologyText(stringify(toTopologyDocument(t)), 'gen.yaml');
      expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const sorted = (x: typeof t | undefined) =>
        x && {
          ...x,
          cities: [...x.cities].sort(),
          dcs: [...x.dcs].sort((a, b) => a.name.localeCompare(b.name)),
          zones: [...x.zones].sort((a, b) => a.name.localeCompare(b.name)),
        };
      expect(sorted(loaded.topology)).toEqual(sorted(t));
    }
  });
});
