import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rulesFlipKind } from '../../../src/kinds/rules-flip/index.js';
import type { RulesFlipParams } from '../../../src/kinds/rules-flip/params.js';
import { initialMap } from '../../../src/rules/shard-map.js';
import { openRedisStore } from '../../../src/rules/store-redis.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { runStepLife } from '../../helpers/step-life.js';
import { LAB_TOPOLOGY_FILE, labTopology } from '../../unit/rules/lab-topology.js';

let redis: TestRedis;
beforeAll(async () => void (redis = await startRedis()));
afterAll(() => redis.stop());
const baseDir = path.dirname(LAB_TOPOLOGY_FILE);

describe("rules.flip home: true (the fail-back runbook's rules stage) on a real Redis", () => {
  test('moves every shard back to its home zone through the staged move, and is a skip once home', async () => {
    const store = await openRedisStore(`${redis.url}?prefix=home:`);
    try {
      await store.compareAndSet(0, { kind: 'init', map: initialMap(await labTopology()), fence: null });
      const ctx = makeKindContext({ baseDir });
      const cutParams: RulesFlipParams = { store: `${redis.url}?prefix=home:`, topology: 'topology.yaml', cut: ['hz-a', 'hz-b'] };
      const cut = await rulesFlipKind.observe(cutParams, ctx);
      const d = rulesFlipKind.decide(cutParams, cut);
      if (d.action !== 'change') throw new Error('expected a change');
      await rulesFlipKind.apply(cutParams, { current: cut, desired: d.desired }, ctx);

      const homeParams: RulesFlipParams = { store: `${redis.url}?prefix=home:`, topology: 'topology.yaml', home: true };
      expect(rulesFlipKind.check?.(homeParams)).toEqual([]);
      const life = await runStepLife(rulesFlipKind, homeParams, { baseDir, skipRollback: true });
      expect(life.before).toMatchObject({ ownedByCut: '00-39', recordedCut: ['hz-a', 'hz-b'], cutToRecord: ['hz-a', 'hz-b'] });
      expect(rulesFlipKind.describe(homeParams, life.before, undefined)).toBe(
        'shards 00-19: RZ03 (sh-a) → RZ01 (hz-a); shards 20-39: RZ04 (sh-b) → RZ02 (hz-b)',
      );
      expect(life.again).toEqual({ action: 'noop', reason: 'already home: every shard is owned by its home zone' });
      expect((await store.read())?.map).toEqual(initialMap(await labTopology()));
      expect((await store.read())?.fence).toBeNull();
      expect((await store.read())?.cut).toEqual([]); // home: no data center is cut any more
    } finally {
      await store.close();
    }
  });

  test('cut and home together is a parameter error', () => {
    expect(rulesFlipKind.check?.({ store: 'file:x.json', topology: 't.yaml', cut: ['hz-a'], home: true })).toEqual([
      { path: ['home'], message: 'give either cut (evacuate) or home: true (fail back), not both' },
    ]);
  });
});
