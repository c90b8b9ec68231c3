import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fenceSize } from '../../../src/rules/fence.js';
import { runFlip, runStagedMove } from '../../../src/rules/flip-run.js';
import { computeFlip } from '../../../src/rules/flip.js';
import { isFlipError } from '../../../src/rules/flip-error.js';
import { rollbackToVersion } from '../../../src/rules/restore.js';
import { initialMap } from '../../../src/rules/shard-map.js';
import type { RuleChange, RuleStore } from '../../../src/rules/store.js';
import { openRuleStore } from '../../../src/rules/open-store.js';
import { openRedisStore } from '../../../src/rules/store-redis.js';
import { startTestEtcd, type TestEtcd } from '../../helpers/etcd-cluster.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { waitFor } from '../../helpers/wait-for.js';
import { freePort } from '../../helpers/free-port.js';
import { labTopology } from '../../unit/rules/lab-topology.js';

let redis: TestRedis;
let etcd: TestEtcd;
const open: RuleStore[] = [];
let prefixN = 0;

beforeAll(async () => {
  [redis, etcd] = await Promise.all([startRedis(), startTestEtcd(3)]);
});
afterAll(async () => {
  for (const s of open.splice(0)) await s.close();
  await Promise.all([redis?.stop(), etcd?.stop()]);
});

// The same tests on both shared stores: Redis (a Lua compare-and-set, pub/sub) and etcd (a transaction, watch).
const BACKENDS = [
  ['Redis', (p: string) => `${redis.url}?prefix=${p}:`],
  ['etcd', (p: string) => etcd.url(p)],
] as const;

/** Resolves each caller once `n` callers are waiting. */
function barrier(n: number): () => Promise<void> {
  let waiting = 0;
  let open = (): void => undefined;
  const opened = new Promise<void>((r) => (open = r));
  return () => {
    waiting += 1;
    if (waiting >= n) open();
    return opened;
  };
}

describe.each(BACKENDS)('%s rules store', (backend, urlOf) => {
  /** A store connection under a fresh prefix (or the given one: several connections, one store). */
  async function store(prefix?: string): Promise<{ store: RuleStore; prefix: string }> {
    const p = prefix ?? `t${++prefixN}`;
    const s = await openRuleStore(urlOf(p), process.cwd());
    open.push(s);
    return { store: s, prefix: p };
  }

  async function initialized(): Promise<{ store: RuleStore; prefix: string }> {
    const s = await store();
    const t = await labTopology();
    expect(await s.store.compareAndSet(0, { kind: 'init', map: initialMap(t), fence: null })).toEqual({ ok: true, version: 1 });
    return s;
  }

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
      runStagedMove({
        store: a,
        current: ra,
        target: planA.value.newMap,
        targetCut: planA.value.cut,
        by: 'flip hz-a',
        kind: 'map',
        topology: t,
      }),
      runStagedMove({
        store: b,
        current: rb,
        target: planB.value.newMap,
        targetCut: planB.value.cut,
        by: 'flip sz-a',
        kind: 'map',
        topology: t,
      }),
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

  test.each([
    ['different cuts', ['hz-a'], ['sh-b']],
    ['the same cut (two copies of one command)', ['hz-a'], ['hz-a']],
  ])(
    'runFlip racing runFlip from the same version, %s: exactly one flips, the other gets a conflict and writes nothing',
    async (_what, cutA, cutB) => {
      const { store: a, prefix } = await initialized();
      const { store: b } = await store(prefix);
      const t = await labTopology();
      // both read version 1 before either writes: the race is decided by the compare-and-set alone
      const bothRead = barrier(2);
      const gated = (s: RuleStore): RuleStore => ({
        ...s,
        label: s.label,
        read: async () => {
          const v = await s.read();
          await bothRead();
          return v;
        },
      });
      const caughtUp: string[] = [];
      const outcomes = await Promise.allSettled([
        runFlip({ store: gated(a), topology: t, cut: cutA, catchUp: async () => (caughtUp.push('a'), { ok: true }) }),
        runFlip({ store: gated(b), topology: t, cut: cutB, catchUp: async () => (caughtUp.push('b'), { ok: true }) }),
      ]);
      const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(isFlipError(lost[0]) && lost[0].reason).toBe('conflict');
      // the winner has written its fence (v2) and maybe more by the time the loser's compare-and-set arrives
      expect((lost[0] as Error).message).toMatch(/^the rules changed underneath this flip: expected version 1, the store is at [234]$/);
      expect(caughtUp).toEqual([won[0] === 0 ? 'a' : 'b']);
      const now = await a.read();
      expect(now).toMatchObject({ version: 4, fence: null, cut: won[0] === 0 ? cutA : cutB });
    },
  );

  test('a second copy of a running flip is refused, naming the owner, and the first one completes', async () => {
    const { store: a, prefix } = await initialized();
    const { store: b } = await store(prefix);
    const t = await labTopology();
    let release = (): void => undefined;
    const released = new Promise<void>((r) => (release = r));
    let waiting = false;
    const first = runFlip({
      store: a,
      topology: t,
      cut: ['hz-a'],
      catchUpIntervalMs: 5,
      catchUp: async () => ((waiting = true), await released, { ok: true }),
    });
    await waitFor(() => waiting, 'the first flip to wait for catch-up');
    let secondCaughtUp = false;
    const e = await runFlip({ store: b, topology: t, cut: ['hz-a'], catchUp: async () => ((secondCaughtUp = true), { ok: true }) }).catch(
      (x: unknown) => x,
    );
    expect(isFlipError(e) && [e.reason, e.exitCode]).toEqual(['fenced', 4]);
    expect((e as Error).message).toMatch(
      new RegExp(`^"flip hz-a" is already running: shards 00-19 are write-fenced by pid ${process.pid} on host `),
    );
    expect(secondCaughtUp).toBe(false);
    expect(await b.read()).toMatchObject({ version: 2, kind: 'fence' });
    release();
    expect(await first).toMatchObject({ status: 'moved', fromVersion: 1, toVersion: 4 });
    expect(await b.read()).toMatchObject({ version: 4, kind: 'unfence', fence: null, cut: ['hz-a'] });
  });

  test('a subscriber on its own connection sees every version once, in order', async () => {
    const { store: writer, prefix } = await initialized();
    const { store: reader } = await store(prefix);
    const t = await labTopology();
    const seen: RuleChange[] = [];
    const sub = await reader.subscribe((c) => seen.push(c));
    const flip = await runFlip({ store: writer, topology: t, cut: ['hz-a', 'hz-b'] });
    await rollbackToVersion({ store: writer, version: flip.fromVersion });
    const failed = runFlip({
      store: writer,
      topology: t,
      cut: ['sz-a'],
      catchUpTimeoutMs: 1,
      catchUpIntervalMs: 1,
      catchUp: async () => ({ ok: false, detail: 'lag' }),
    });
    await expect(failed).rejects.toThrow(/did not catch up/);
    await waitFor(() => seen.length >= 8, '8 changes');
    await sub.close();
    expect(seen.map((c) => `${c.version}:${c.kind}`)).toEqual([
      '2:fence',
      '3:map',
      '4:unfence',
      '5:fence',
      '6:rollback',
      '7:unfence',
      '8:fence',
      '9:unfence',
    ]);
    expect((await reader.read())?.map).toEqual(initialMap(t));
  });

  test('the fence is present exactly while shards move, and lifted afterwards (also after a failed catch-up)', async () => {
    const { store: writer, prefix } = await initialized();
    const { store: observer } = await store(prefix);
    const t = await labTopology();
    const during: string[] = [];
    const probe = (ok: boolean) => async () => {
      const now = await observer.read();
      during.push(`${now?.fence ? fenceSize(now.fence) : 0}:${now?.fence?.by ?? '-'}:${now?.map.owners[80] ?? ''}`);
      return ok ? { ok: true as const } : { ok: false as const, detail: 'replica behind' };
    };
    await expect(
      runFlip({ store: writer, topology: t, cut: ['sz-a'], catchUpTimeoutMs: 30, catchUpIntervalMs: 10, catchUp: probe(false) }),
    ).rejects.toThrow(/^data did not catch up within 30ms: replica behind; the fence was lifted and the old map \(version 1\) stays$/);
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

  test(`an unreachable ${backend} fails fast with one clear line`, async () => {
    const port = await freePort();
    if (backend === 'Redis') {
      await expect(openRedisStore(`redis://127.0.0.1:${port}?prefix=x:`)).rejects.toThrow(
        /^cannot reach rules store redis:\/\/127\.0\.0\.1:\d+\/0\?prefix=x:: .*ECONNREFUSED/,
      );
      return;
    }
    const s = await openRuleStore(`etcd://127.0.0.1:${port}/x`, process.cwd());
    try {
      await expect(s.read()).rejects.toMatchObject({
        code: 'rules-store-unavailable',
        exitCode: 1,
        message: expect.stringMatching(/^etcd:\/\/127\.0\.0\.1:\d+\/x: /),
      });
    } finally {
      await s.close();
    }
  });
});
