import { describe, expect, test } from 'vitest';
import { decodeFence, fenceCoversAll, fenceOf, fenceSize, renderFence } from '../../../src/rules/fence.js';
import { createFenceOwner, holdOwnership, ownerLiveness, type HostProbe } from '../../../src/rules/fence-owner.js';
import { generateTopology } from '../../../src/rules/generate.js';
import { initialMap } from '../../../src/rules/shard-map.js';
import { toVersionDocument } from '../../../src/rules/version-document.js';
import { computeFlip } from '../../../src/rules/flip.js';

const probe = (running: Record<number, string>, machineId: string | null = 'm-1', host = 'ops-1'): HostProbe => ({
  host,
  pid: 1,
  machineId,
  processStart: (pid) => running[pid],
});

describe('fences as ranges', () => {
  test('a fence is its ranges: covers, size, rendering', () => {
    const f = fenceOf([9, 1, 2, 3, 7, 8], 'flip x', 'now', null);
    expect(f.ranges).toEqual([
      { from: 1, to: 3 },
      { from: 7, to: 9 },
    ]);
    expect([fenceSize(f), renderFence(f, 100)]).toEqual([6, '01-03, 07-09']);
    expect(fenceCoversAll(f, [1, 2, 8, 9])).toBe(true);
    expect(fenceCoversAll(f, [3, 4])).toBe(false);
    expect(fenceCoversAll(null, [])).toBe(true);
  });

  test('a 1,000,000-shard flip stores its fence as a few ranges, not a million numbers', () => {
    const t = generateTopology({ shardCount: 1_000_000, zoneCount: 10, dcCount: 5, seed: 3, partnerCount: 9, maxSpare: 1_000_000 });
    const plan = computeFlip(t, initialMap(t), ['dc1']);
    if (!plan.ok) throw new Error(plan.error.message);
    const fence = fenceOf(plan.value.moving, 'flip dc1', 'now', createFenceOwner(0, 15_000));
    const doc = JSON.stringify(toVersionDocument(2, { kind: 'fence', map: initialMap(t), fence }, 'now'));
    expect(plan.value.moving.length).toBeGreaterThan(100_000);
    expect(doc.length).toBeLessThan(2_000);
  });

  test('stored fences of older drctl (a shard list, no owner) still read; malformed ones are named', () => {
    expect(decodeFence({ shards: [5, 6, 7, 40], by: 'flip a', atIso: 'x' }, 100)).toEqual({
      fence: {
        ranges: [
          { from: 5, to: 7 },
          { from: 40, to: 40 },
        ],
        by: 'flip a',
        atIso: 'x',
        owner: null,
      },
    });
    expect(decodeFence({ ranges: [[0, 100]], by: 'a', atIso: 'x' }, 100)).toEqual({ problem: 'fence ranges fall outside 0-99' });
    expect(decodeFence({ ranges: [[0, 1]], by: 'a', atIso: 'x', owner: { id: 1 } }, 100)).toEqual({
      problem: 'fence owner has an unexpected shape',
    });
    expect(decodeFence([], 100)).toEqual({ problem: 'fence is not an object' });
  });
});

describe('fence owner liveness', () => {
  const now = Date.parse('2026-01-01T00:00:10Z');
  const owner = {
    id: 'r1',
    host: 'ops-1',
    pid: 42,
    machineId: 'm-1',
    processStart: 's42',
    startedAtIso: '2026-01-01T00:00:00Z',
    leaseUntilIso: '2026-01-01T00:00:15Z',
  };

  test.each([
    ['running on this machine, lease valid', owner, probe({ 42: 's42' }), 'live'],
    ['process gone on this machine', owner, probe({}), 'dead'],
    ['pid reused by a later process', owner, probe({ 42: 's99' }), 'dead'],
    ['on another machine with the same host name: only the lease counts', owner, probe({}, 'm-2'), 'live'],
    ['on another machine, lease over', { ...owner, leaseUntilIso: '2026-01-01T00:00:09Z' }, probe({}, 'm-2'), 'expired'],
    [
      'alive but its lease ran out (frozen, or a stuck renewal)',
      { ...owner, leaseUntilIso: '2026-01-01T00:00:10Z' },
      probe({ 42: 's42' }),
      'expired',
    ],
    ['no machine identity anywhere: never judged dead, the lease decides', { ...owner, machineId: null }, probe({}, null), 'live'],
    ['no machine identity, lease over', { ...owner, machineId: null, leaseUntilIso: '2026-01-01T00:00:09Z' }, probe({}, null), 'expired'],
  ])('%s', (_what, o, p, state) => {
    expect(ownerLiveness(o, o.startedAtIso, now, p).state).toBe(state);
  });

  test('a fence without an owner (older drctl) is live for one default lease after it was set', () => {
    expect(ownerLiveness(null, '2026-01-01T00:00:00Z', now).state).toBe('live');
    expect(ownerLiveness(null, '2026-01-01T00:00:00Z', now + 10_000).state).toBe('expired');
  });

  test('this process as an owner: live while its move runs, dead once it ended (a retry may take over)', () => {
    const o = createFenceOwner(now, 15_000);
    expect(o).toMatchObject({ pid: process.pid, startedAtIso: '2026-01-01T00:00:10.000Z', leaseUntilIso: '2026-01-01T00:00:25.000Z' });
    const release = holdOwnership(o);
    expect(ownerLiveness(o, o.startedAtIso, now).state).toBe('live');
    release();
    expect(ownerLiveness(o, o.startedAtIso, now)).toEqual({ state: 'dead', why: `its run in this process (pid ${process.pid}) has ended` });
  });
});
