import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fenceCovers } from '../../../src/rules/fence.js';
import { computeFlip, type FlipProblem } from '../../../src/rules/flip.js';
import { runFlip } from '../../../src/rules/flip-run.js';
import { rollbackToVersion } from '../../../src/rules/restore.js';
import { generateTopology } from '../../../src/rules/generate.js';
import { initialMap, type ShardMap } from '../../../src/rules/shard-map.js';
import { createMemoryStore } from '../../../src/rules/store-memory.js';
import type { RuleVersion } from '../../../src/rules/store.js';
import { indexZones, type Topology } from '../../../src/rules/topology.js';
import { oracleFlip, reachable } from './flip-oracle.js';

interface Scenario {
  readonly t: Topology;
  readonly start: ShardMap;
  readonly cut: readonly string[];
}

/** Data centers whose zones own at least one shard of `map`. */
const owningDcs = (t: Topology, map: ShardMap): string[] => {
  const zones = indexZones(t);
  return [...new Set(map.owners.map((z) => zones.get(z)?.dc ?? ''))].filter((d) => d !== '').sort();
};

/** A non-empty strict subset of the data centers that includes one owning shards: `pick` chooses. */
function cutOf(t: Topology, map: ShardMap, first: number, others: readonly boolean[]): string[] {
  const dcs = t.dcs.map((d) => d.name);
  const owning = owningDcs(t, map);
  const anchor = owning[first % owning.length] ?? dcs[0] ?? '';
  const cut = new Set([anchor, ...dcs.filter((_, i) => others[i] === true)]);
  if (cut.size === dcs.length) cut.delete([...cut].find((d) => d !== anchor) ?? anchor); // keep a survivor
  return [...cut].sort();
}

const shape = {
  shardCount: fc.integer({ min: 1, max: 300 }),
  zoneCount: fc.integer({ min: 2, max: 12 }),
  seed: fc.integer(),
  first: fc.nat(),
  others: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
};

/**
 * Accepted, non-trivial flips: every zone lists every other zone as a partner and can hold every
 * shard, and the cut is a non-empty strict subset of the data centers that owns shards.
 */
const roomy = fc
  .record({ ...shape, dcRatio: fc.integer({ min: 2, max: 12 }) })
  .map(({ shardCount, zoneCount, seed, first, others, dcRatio }): Scenario => {
    const g = generateTopology({
      shardCount,
      zoneCount,
      dcCount: Math.max(2, Math.min(zoneCount, dcRatio)),
      partnerCount: zoneCount - 1,
      seed,
    });
    const t: Topology = { ...g, zones: g.zones.map((z) => ({ ...z, capacity: shardCount })) };
    const start = initialMap(t);
    return { t, start, cut: cutOf(t, start, first, others) };
  });

/**
 * Anything goes: few or no partners (some in the same data center), little spare capacity, a map
 * after an earlier flip. Mostly refusals, some acceptances: every outcome is checked by the oracle.
 */
const tight = fc
  .record({
    ...shape,
    dcCount: fc.integer({ min: 2, max: 8 }),
    partnerCount: fc.integer({ min: 0, max: 3 }),
    maxSpare: fc.integer({ min: 0, max: 60 }),
    earlier: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
  })
  .map(({ shardCount, zoneCount, seed, first, others, dcCount, partnerCount, maxSpare, earlier }): Scenario => {
    const t = generateTopology({ shardCount, zoneCount, dcCount: Math.min(dcCount, zoneCount), partnerCount, maxSpare, seed });
    const before = computeFlip(
      t,
      initialMap(t),
      t.dcs.map((d) => d.name).filter((_, i) => earlier[i] === true && i % 3 === 0),
    );
    const start = before.ok ? before.value.newMap : initialMap(t);
    return { t, start, cut: cutOf(t, start, first, others) };
  });

/** Before: every shard has exactly one owner, a zone the topology knows. After: same, none in a cut dc, no gainer over capacity, and nothing outside the cut moved. */
function checkInvariants({ t, start, cut }: Scenario, after: ShardMap): void {
  const zones = indexZones(t);
  const wrong: string[] = [];
  const count = (m: ShardMap): Map<string, number> => {
    const n = new Map<string, number>();
    for (const z of m.owners) n.set(z, (n.get(z) ?? 0) + 1);
    return n;
  };
  for (const [when, map] of [
    ['before', start],
    ['after', after],
  ] as const) {
    if (map.owners.length !== t.shardCount) wrong.push(`${when}: ${map.owners.length} shards`);
    map.owners.forEach((owner, shard) => {
      if (!zones.has(owner)) wrong.push(`${when}: shard ${shard} has no single known owner ("${owner}")`);
    });
  }
  after.owners.forEach((owner, shard) => {
    if (cut.includes(zones.get(owner)?.dc ?? '')) wrong.push(`shard ${shard} owned by ${owner} in a cut dc`);
    const was = start.owners[shard] ?? '';
    if (!cut.includes(zones.get(was)?.dc ?? '') && owner !== was) wrong.push(`shard ${shard} moved from ${was} outside the cut`);
  });
  const [b, a] = [count(start), count(after)];
  for (const z of t.zones)
    if ((a.get(z.name) ?? 0) > (b.get(z.name) ?? 0) && (a.get(z.name) ?? 0) > z.capacity) wrong.push(`zone ${z.name} over capacity`);
  expect(wrong).toEqual([]);
}

/** Every problem a refusal states is true of the topology, and it states every one the oracle finds. */
function checkRefusal({ t, start, cut }: Scenario, problems: readonly FlipProblem[]): void {
  const oracle = oracleFlip(t, start, cut);
  const zones = indexZones(t);
  const isCut = (z: string): boolean => cut.includes(zones.get(z)?.dc ?? '');
  const stated = problems
    .filter((p) => p.reason === 'no-surviving-owner' || p.reason === 'partner-loop')
    .map((p) => (p as { zone: string }).zone);
  expect(new Set(stated)).toEqual(oracle.stranded);
  for (const p of problems) {
    if (p.reason === 'no-surviving-owner' || p.reason === 'partner-loop') {
      expect(isCut(p.zone)).toBe(true);
      expect([...reachable(p.zone, zones)].filter((z) => !isCut(z))).toEqual([]);
    }
    if (p.reason === 'partner-loop') {
      const { loop } = p;
      expect(loop[0]).toBe(p.zone);
      loop.slice(1).forEach((z, i) => expect(zones.get(loop[i] ?? '')?.partners).toContain(z)); // a real path of partner edges
      expect(loop.slice(0, -1)).toContain(loop[loop.length - 1]); // that comes back on itself
      for (const z of loop) expect(isCut(z)).toBe(true);
    }
    if (p.reason === 'over-capacity') {
      expect(oracle.over.get(p.zone)).toEqual({ load: p.load, capacity: p.capacity });
      expect(p.message).toMatch(new RegExp(`: over by ${p.load - p.capacity}$`));
    }
    expect(['unknown-dc', 'shard-count-mismatch', 'unknown-zone']).not.toContain(p.reason);
  }
  expect(
    new Map(problems.flatMap((p) => (p.reason === 'over-capacity' ? [[p.zone, { load: p.load, capacity: p.capacity }] as const] : []))),
  ).toEqual(oracle.over);
}

describe('computeFlip properties over random topologies', () => {
  test('roomy topologies: the flip is accepted, moves shards, keeps every invariant and equals the oracle', () => {
    fc.assert(
      fc.property(roomy, (s) => {
        const r = computeFlip(s.t, s.start, s.cut);
        if (!r.ok) throw new Error(`refused: ${r.error.message}`);
        expect(r.value.moving.length).toBeGreaterThan(0);
        checkInvariants(s, r.value.newMap);
        expect(r.value.newMap).toEqual(oracleFlip(s.t, s.start, s.cut).newMap);
        expect(r.value.moving).toEqual(s.start.owners.flatMap((z, i) => (z === r.value.newMap.owners[i] ? [] : [i])));
      }),
      { numRuns: 300 },
    );
  });

  test("tight topologies: a refusal states exactly the oracle's problems (amounts and loops checked); an acceptance equals the oracle", () => {
    const seen = { refused: 0, accepted: 0 };
    fc.assert(
      fc.property(tight, (s) => {
        const r = computeFlip(s.t, s.start, s.cut);
        const oracle = oracleFlip(s.t, s.start, s.cut);
        expect(r.ok).toBe(oracle.stranded.size === 0 && oracle.over.size === 0);
        if (!r.ok) {
          seen.refused++;
          checkRefusal(s, r.error.problems);
          return;
        }
        seen.accepted++;
        checkInvariants(s, r.value.newMap);
        expect(r.value.newMap).toEqual(oracle.newMap);
      }),
      { numRuns: 400 },
    );
    expect(seen.refused).toBeGreaterThan(0);
    expect(seen.accepted).toBeGreaterThan(0);
  });

  test('deterministic (also under reordered or repeated cut lists) and idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(roomy, tight), ({ t, start, cut }) => {
        const a = computeFlip(t, start, cut);
        expect(computeFlip(t, start, [...cut].reverse().concat(cut))).toEqual(a);
        if (!a.ok) return;
        const again = computeFlip(t, a.value.newMap, cut);
        expect(again.ok && again.value.moves).toEqual([]);
        expect(again.ok && again.value.newMap).toEqual(a.value.newMap);
      }),
      { numRuns: 300 },
    );
  });

  test('a staged flip never gives a shard two writable owners, and rollback restores the exact map', async () => {
    await fc.assert(
      fc.asyncProperty(roomy, async (s) => {
        const store = createMemoryStore();
        await store.compareAndSet(0, { kind: 'init', map: s.start, fence: null });
        const flipped = await runFlip({ store, topology: s.t, cut: s.cut });
        const rolled = await rollbackToVersion({ store, version: flipped.fromVersion });
        const history = (await Promise.all(Array.from({ length: rolled.toVersion }, (_, i) => store.readVersion(i + 1)))) as RuleVersion[];
        for (let v = 1; v < history.length; v++) {
          const [prev, next] = [history[v - 1] as RuleVersion, history[v] as RuleVersion];
          for (const [shard, owner] of next.map.owners.entries()) {
            if (owner === prev.map.owners[shard]) continue;
            expect(
              fenceCovers(prev.fence, shard) && fenceCovers(next.fence, shard),
              `shard ${shard} changed owner unfenced at v${next.version}`,
            ).toBe(true);
          }
        }
        expect(history.map((v) => v.kind)).toEqual(['init', 'fence', 'map', 'unfence', 'fence', 'rollback', 'unfence']);
        const now = await store.read();
        expect(now?.map).toEqual(s.start);
        expect(now?.fence).toBeNull();
        expect(rolled.moves.reduce((n, m) => n + m.shards.length, 0)).toBe(flipped.moves.reduce((n, m) => n + m.shards.length, 0));
      }),
      { numRuns: 200 },
    );
  });
});
