import { describe, expect, test } from 'vitest';
import { generateTopology } from '../../../src/rules/generate.js';
import { formatShard, parseShardRange, renderRanges, shardWidth } from '../../../src/rules/ranges.js';
import { fenceOf } from '../../../src/rules/fence.js';
import { decodeMap, encodeMap, initialMap, route } from '../../../src/rules/shard-map.js';
import { labTopology } from './lab-topology.js';

describe('route', () => {
  test('user 12345666 → shard 66 → RZ04 in sh-b (100 shards)', async () => {
    const t = await labTopology();
    const r = route(t, { map: initialMap(t), fence: null }, '12345666');
    expect(r).toEqual({ userId: '12345666', shard: 66, shardLabel: '66', zone: 'RZ04', dc: 'sh-b', city: 'sh', writable: true });
  });

  test('shard labels are as wide as the largest shard; huge ids work', () => {
    const t = generateTopology({ shardCount: 10_000, zoneCount: 100 });
    const r = route(t, { map: initialMap(t), fence: null }, '98765432100000000000000066');
    expect(r.shard).toBe(66);
    expect(r.shardLabel).toBe('0066');
  });

  test('a fenced shard is not writable', async () => {
    const t = await labTopology();
    const fence = fenceOf([5, 66, 67, 68], 'flip sh-b', '', null);
    expect(fence.ranges).toEqual([
      { from: 5, to: 5 },
      { from: 66, to: 68 },
    ]);
    expect(route(t, { map: initialMap(t), fence }, '166').writable).toBe(false);
    expect(route(t, { map: initialMap(t), fence }, '168').writable).toBe(false);
    expect(route(t, { map: initialMap(t), fence }, '169').writable).toBe(true);
    expect(route(t, { map: initialMap(t), fence }, '4').writable).toBe(true);
  });

  test('a user id must be digits', async () => {
    const t = await labTopology();
    expect(() => route(t, { map: initialMap(t), fence: null }, '12a')).toThrow(/digits/);
  });
});

describe('ranges', () => {
  test.each([
    [[], 100, ''],
    [[66], 100, '66'],
    [[0, 1, 2, 3, 19, 18, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17], 100, '00-19'],
    [[0, 1, 2, 40, 41, 99], 100, '00-02, 40-41, 99'],
    [[7, 9], 10, '7, 9'],
    [[5, 6, 7], 10_000, '0005-0007'],
  ])('renderRanges(%j, %i) = %j', (shards, count, text) => {
    expect(renderRanges(shards, count)).toBe(text);
  });

  test('widths', () => {
    expect([shardWidth(10), shardWidth(100), shardWidth(101), shardWidth(10_000)]).toEqual([1, 2, 3, 4]);
    expect(formatShard(3, 1000)).toBe('003');
  });

  test.each([
    ['00-19', { from: 0, to: 19 }],
    ['42', { from: 42, to: 42 }],
    [' 7 - 9 ', { from: 7, to: 9 }],
    [5, { from: 5, to: 5 }],
  ])('parseShardRange(%j)', (text, range) => {
    expect(parseShardRange(text, 100)).toEqual({ ok: true, range });
  });

  test.each([
    ['19-00', 'bad shard range "19-00": 00 is before 19'],
    ['0-100', 'shard range "0-100" is outside 0-99 (shardCount is 100)'],
    ['a-b', 'bad shard range "a-b": use "FROM-TO" (e.g. "00-19") or one shard ("42")'],
    [1.5, 'shard 1.5 is not an integer'],
  ])('parseShardRange(%j) fails', (text, message) => {
    expect(parseShardRange(text, 100)).toEqual({ ok: false, message });
  });
});

test('the compact stored form round-trips', () => {
  const t = generateTopology({ shardCount: 10_000, zoneCount: 100, seed: 7 });
  const map = initialMap(t);
  const stored = encodeMap(map);
  expect(stored.runs).toHaveLength(100);
  expect(decodeMap(stored)).toEqual(map);
});
