import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { computeFlip } from '../../../src/rules/flip.js';
import { runFlip } from '../../../src/rules/flip-run.js';
import { rollbackToVersion } from '../../../src/rules/restore.js';
import { generateTopology } from '../../../src/rules/generate.js';
import { initialMap, type ShardMap } from '../../../src/rules/shard-map.js';
import { createMemoryStore } from '../../../src/rules/store-memory.js';
import { indexZones, type Topology } from '../../../src/rules/topology.js';

/** A random topology, a starting map (the initial one, or after an earlier flip) and a cut. */
const scenario = fc
  .record({
    shardCount: fc.integer({ min: 1, max: 300 }),
    zoneCount: fc.integer({ min: 1, max: 12 }),
    dcCount: fc.integer({ min: 1, max: 8 }),
    cityCount: fc.integer({ min: 1, max: 4 }),
    partnerCount: fc.integer({ min: 0, max: 4 }),
    maxSpare: fc.integer({ min: 0, max: 80 }),
    seed: fc.integer(),
  })
  .map(generateTopology)
  .chain((t) => {
    const dcs = t.dcs.map((d) => d.name);
    return fc.record({ t: fc.constant(t), earlier: fc.subarray(dcs), cut: fc.subarray(dcs) });
  })
  .map(({ t, earlier, cut }) => {
    const first = computeFlip(t, initialMap(t), earlier);
    return { t, start: first.ok ? first.value.newMap : initialMap(t), cut };
  });

function loads(map: ShardMap): Map<string, number> {
  const m = new Map<string, number>();
  for (const z of map.owners) m.set(z, (m.get(z) ?? 0) + 1);
  return m;
}

function checkInvariants(t: Topology, before: ShardMap, after: ShardMap, cut: readonly string[]): void {
  const zones = indexZones(t);
  expect(after.owners).toHaveLength(t.shardCount);
  for (const [shard, owner] of after.owners.entries()) {
    const zone = zones.get(owner);
    expect(zone, `shard ${shard} has exactly one known owner`).toBeDefined();
    expect(cut.includes(zone?.dc ?? ''), `shard ${shard} owned by a cut dc`).toBe(false);
    const was = before.owners[shard] ?? '';
    if (!cut.includes(zones.get(was)?.dc ?? '')) expect(owner).toBe(was);
  }
  const beforeLoads = loads(before);
  for (const [zone, n] of loads(after)) {
    const cap = zones.get(zone)?.capacity ?? 0;
    if (n > (beforeLoads.get(zone) ?? 0)) expect(n, `zone ${zone} over capacity`).toBeLessThanOrEqual(cap);
  }
}

describe('computeFlip properties over random topologies', () => {
  test('every shard keeps exactly one owner, none in a cut dc, no zone over capacity — or a refusal', () => {
    fc.assert(
      fc.property(scenario, ({ t, start, cut }) => {
        const r = computeFlip(t, start, cut);
        if (!r.ok) {
          expect(r.error.problems.length).toBeGreaterThan(0);
          expect(r.error.message).toMatch(/^refusing to flip: /);
          return;
        }
        checkInvariants(t, start, r.value.newMap, cut);
        const changed = start.owners.flatMap((z, s) => (z === r.value.newMap.owners[s] ? [] : [s]));
        expect(r.value.moving).toEqual(changed);
      }),
      { numRuns: 400 },
    );
  });

  test('deterministic (also under reordered or repeated cut lists) and idempotent', () => {
    fc.assert(
      fc.property(scenario, ({ t, start, cut }) => {
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

  test('never refused when every zone partners with every other and capacity is unbounded', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 2, max: 10 }), fc.integer(), fc.integer({ min: 0, max: 100 }), (shardCount, zoneCount, seed, pick) => {
        const t = generateTopology({ shardCount, zoneCount, dcCount: zoneCount, partnerCount: zoneCount, maxSpare: 0, seed });
        const wide: Topology = { ...t, zones: t.zones.map((z) => ({ ...z, capacity: shardCount })) };
        const dcs = wide.dcs.map((d) => d.name);
        const cut = dcs.filter((_, i) => i !== pick % dcs.length && (i + pick) % 3 === 0);
        expect(computeFlip(wide, initialMap(wide), cut).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  test('a staged flip then rollback restores the exact previous map, with no fence left', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ t, start, cut }) => {
        if (!computeFlip(t, start, cut).ok) return;
        const store = createMemoryStore();
        await store.compareAndSet(0, { kind: 'init', map: start, fence: null });
        const flipped = await runFlip({ store, topology: t, cut });
        const rolled = await rollbackToVersion({ store, version: flipped.fromVersion });
        const now = await store.read();
        expect(now?.map).toEqual(start);
        expect(now?.fence).toBeNull();
        expect(rolled.moves.length).toBe(flipped.moves.length);
      }),
      { numRuns: 150 },
    );
  });
});
