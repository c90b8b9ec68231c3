import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runFlip, runStagedMove } from '../../../src/rules/flip-run.js';
import { computeFlip } from '../../../src/rules/flip.js';
import { isFlipError } from '../../../src/rules/flip-error.js';
import { rollbackToVersion } from '../../../src/rules/restore.js';
import { initialMap } from '../../../src/rules/shard-map.js';
import type { RuleChange, RuleStore } from '../../../src/rules/store.js';
import { openRedisStore } from '../../../src/rules/store-redis.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { waitFor } from '../../helpers/wait-for.js';
import { freePort } from '../../helpers/free-port.js';
import { labTopology } from '../../unit/rules/lab-topology.js';

let redis: TestRedis;
const open: RuleStore[] = [];
let prefixN = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const s of open.splice(0)) await s.close();
  await redis.stop();
});

/** A store connection under a fresh prefix (or the given one: several connections, one store). */
async function store(prefix?: string): Promise<{ store: RuleStore; prefix: string }> {
  const p = prefix ?? `t${++prefixN}`;
  const s = await openRedisStore(`${redis.url}/${p}`);
  open.push(s);
  return { store: s, prefix: p };
}

async function initialized(): Promise<{ store: RuleStore; prefix: string }> {
  const s = await store();
  const t = await labTopology();
  expect(await s.store.compareAndSet(0, { kind: 'init', map: initialMap(t), fence: null })).toEqual({ ok: true, version: 1 });
  return s;
}

describe('Redis rules store', () => {
  test('of many writers at the same version on separate connections, exactly one wins', async () => {
    const { prefix } = await initialized();
    const t = await labTopology();
    const writers = await Promise.all(Array.from({ length: 8 }, () => store(prefix)));
    const results = await Promise.all(writers.map((w) => w.store.compareAndSet(1, { kind: 'map', map: initialMap(t), fence: null })));
    expect(results.filter((r) => r.ok)).toEqual([{ ok: true, version: 2 }]);
    expect(results.filter((r) => !r.ok)).toEqual(Array(7).fill({ ok: false, reason: 'conflict', currentVersion: 2 }));
  });

  test('two concurrent flips from the same version: one wins, the other gets a clear conflict and changes nothing', async () => {
    const { store: a, prefix } = await initialized();
    const { store: b } = await store(prefix);
    const t = await labTopology();
    const [ra, rb] = [await a.read(), await b.read()];
    if (!ra || !rb) throw new Error('not initialized');
    const planA = computeFlip(t, ra.map, ['hz-a']);
    const planB = computeFlip(t, rb.map, ['sz-a']);
    if (!planA.ok || !planB.ok) throw new Error('refused');
    const outcomes = await Promise.allSettled([
      runStagedMove({ store: a, current: ra, target: planA.value.newMap, by: 'flip hz-a', kind: 'map', topology: t }),
      runStagedMove({ store: b, current: rb, target: planB.value.newMap, by: 'flip sz-a', kind: 'map', topology: t }),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(isFlipError(lost[0]) && lost[0].reason).toBe('conflict');
    expect((lost[0] as Error).message).toMatch(/^the rules changed underneath this flip: expected version 1, the store is at \d+$/);
    const winner = outcomes[0]?.status === 'fulfilled' ? planA : planB;
    const now = await a.read();
    expect(now?.map).toEqual(winner.value.newMap);
    expect(now?.fence).toBeNull();
  });

  test('runFlip racing runFlip: exactly one flips, the other is refused (conflict or fenced)', async () => {
    const { store: a, prefix } = await initialized();
    const { store: b } = await store(prefix);
    const t = await labTopology();
    const outcomes = await Promise.allSettled([runFlip({ store: a, topology: t, cut: ['hz-a'] }), runFlip({ store: b, topology: t, cut: ['sh-b'] })]);
    const fulfilled = outcomes.filter((o) => o.status === 'fulfilled');
    const reasons = outcomes.flatMap((o) => (o.status === 'rejected' && isFlipError(o.reason) ? [o.reason.reason] : []));
    expect(fulfilled.length + reasons.length).toBe(2);
    expect(fulfilled.length).toBeGreaterThanOrEqual(1);
    for (const r of reasons) expect(['conflict', 'fenced']).toContain(r);
    expect((await a.read())?.fence).toBeNull();
  });

  test('a subscriber on its own connection sees every version once, in order', async () => {
    const { store: writer, prefix } = await initialized();
    const { store: reader } = await store(prefix);
    const t = await labTopology();
    const seen: RuleChange[] = [];
    const sub = await reader.subscribe((c) => seen.push(c));
    const flip = await runFlip({ store: writer, topology: t, cut: ['hz-a', 'hz-b'] });
    await rollbackToVersion({ store: writer, version: flip.fromVersion });
    const failed = runFlip({ store: writer, topology: t, cut: ['sz-a'], catchUpTimeoutMs: 1, catchUpIntervalMs: 1, catchUp: async () => ({ ok: false, detail: 'lag' }) });
    await expect(failed).rejects.toThrow(/did not catch up/);
    await waitFor(() => seen.length >= 8, '8 changes');
    await sub.close();
    expect(seen.map((c) => `${c.version}:${c.kind}`)).toEqual(['2:fence', '3:map', '4:unfence', '5:fence', '6:rollback', '7:unfence', '8:fence', '9:unfence']);
    expect((await reader.read())?.map).toEqual(initialMap(t));
  });

  test('the fence is present exactly while shards move, and lifted afterwards (also after a failed catch-up)', async () => {
    const { store: writer, prefix } = await initialized();
    const { store: observer } = await store(prefix);
    const t = await labTopology();
    const during: string[] = [];
    const probe = (ok: boolean) => async () => {
      const now = await observer.read();
      during.push(`${now?.fence?.shards.length ?? 0}:${now?.fence?.by ?? '-'}:${now?.map.owners[80] ?? ''}`);
      return ok ? { ok: true as const } : { ok: false as const, detail: 'replica behind' };
    };
    await expect(runFlip({ store: writer, topology: t, cut: ['sz-a'], catchUpTimeoutMs: 30, catchUpIntervalMs: 10, catchUp: probe(false) })).rejects.toThrow(
      /^data did not catch up within 30ms: replica behind; the fence was lifted and the old map \(version 1\) stays$/,
    );
    expect(new Set(during)).toEqual(new Set(['20:flip sz-a:RZ05']));
    let now = await observer.read();
    expect(now?.fence).toBeNull();
    expect(now?.map).toEqual(initialMap(t));
    during.length = 0;
    await runFlip({ store: writer, topology: t, cut: ['sz-a'], catchUp: probe(true) });
    expect(during).toEqual(['20:flip sz-a:RZ05']);
    now = await observer.read();
    expect(now?.fence).toBeNull();
    expect(now?.map.owners[80]).toBe('RZ03');
  });

  test('an unreachable Redis fails fast with one clear line', async () => {
    const url = `redis://127.0.0.1:${await freePort()}/x`;
    await expect(openRedisStore(url)).rejects.toThrow(/^cannot reach rules store redis:\/\/127\.0\.0\.1:\d+\/x: .*ECONNREFUSED/);
  });
});
