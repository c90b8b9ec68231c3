import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rulesFlipKind } from '../../../src/kinds/rules-flip/index.js';
import type { RulesFlipParams } from '../../../src/kinds/rules-flip/params.js';
import { initialMap } from '../../../src/rules/shard-map.js';
import type { RuleChange } from '../../../src/rules/store.js';
import { openRuleStore } from '../../../src/rules/open-store.js';
import { openRedisStore } from '../../../src/rules/store-redis.js';
import { abortMidStep, expectStoppedInGrace, whileFrozen } from '../../helpers/abort-mid-step.js';
import { startTestEtcd, type TestEtcd } from '../../helpers/etcd-cluster.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { runStepLife } from '../../helpers/step-life.js';
import { waitFor } from '../../helpers/wait-for.js';
import { LAB_TOPOLOGY_FILE, labTopology } from '../../unit/rules/lab-topology.js';
import path from 'node:path';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

async function publishLab(prefix: string) {
  const store = await openRedisStore(`${redis.url}?prefix=${prefix}:`);
  await store.compareAndSet(0, { kind: 'init', map: initialMap(await labTopology()), fence: null });
  return store;
}

const baseDir = path.dirname(LAB_TOPOLOGY_FILE);

describe('rules.flip kind on a real Redis', () => {
  test('full life: observe, decide, apply (fence → catch-up → flip → unfence), again = noop, rollback restores the previous map', async () => {
    const store = await publishLab('life');
    const seen: RuleChange[] = [];
    const sub = await store.subscribe((c) => seen.push(c));
    try {
      const params: RulesFlipParams = {
        store: `${redis.url}?prefix=life:`,
        topology: 'topology.yaml',
        cut: 'hz-a, hz-b',
        catchUp: { exec: ['redis-cli', '-p', String(redis.port), 'ping'], expect: { stdoutMatches: 'PONG' } },
        catchUpTimeout: '5s',
      };
      expect(rulesFlipKind.check?.(params)).toEqual([]);
      const life = await runStepLife(rulesFlipKind, params, { baseDir });
      expect(life.before).toMatchObject({ version: 1, ownedByCut: '00-39', fence: null, refusal: null, cut: ['hz-a', 'hz-b'] });
      expect(life.decision.action).toBe('change');
      expect(rulesFlipKind.describe(params, life.before, undefined)).toBe(
        'shards 00-19: RZ01 (hz-a) → RZ03 (sh-a); shards 20-39: RZ02 (hz-b) → RZ04 (sh-b)',
      );
      expect(life.after).toMatchObject({ version: 4, ownedByCut: '', fence: null });
      expect(rulesFlipKind.outputs?.(params, life.after!)).toEqual({ version: 4 });
      expect(life.again).toEqual({ action: 'noop', reason: 'already flipped: no shard owned by hz-a, hz-b' });
      expect(life.restored?.map).toEqual(life.before.map);
      expect(life.restored).toMatchObject({ version: 7, fence: null, ownedByCut: '00-39', recordedCut: [] });
      // the rollback is a staged move too: its own fence, catch-up probe, flip and unfence
      expect(life.ctx.progressLog.filter((l) => /^(fence|catch-up|flip|unfence) done in /.test(l)).map((l) => l.split(' ')[0])).toEqual([
        'fence',
        'catch-up',
        'flip',
        'unfence',
        'fence',
        'catch-up',
        'flip',
        'unfence',
      ]);
      expect(Object.keys(life.ctx.notes).sort()).toEqual([
        'rules.catch-upMs',
        'rules.fenceMs',
        'rules.flipMs',
        'rules.unfenceMs',
        'rules.version',
      ]);
      expect(life.ctx.progressLog[0]).toBe('fence: shards 00-39 write-forbidden');
      await waitFor(() => seen.length >= 6, '6 changes');
      expect(seen.map((c) => `${c.version}:${c.kind}`)).toEqual(['2:fence', '3:map', '4:unfence', '5:fence', '6:rollback', '7:unfence']);
      expect((await store.read())?.map).toEqual(initialMap(await labTopology()));
    } finally {
      await sub.close();
      await store.close();
    }
  });

  test('a failing catch-up probe fails apply (retryable), lifts the fence and keeps the old map', async () => {
    const store = await publishLab('fail');
    try {
      const params: RulesFlipParams = {
        store: `${redis.url}?prefix=fail:`,
        topology: 'topology.yaml',
        cut: ['sz-a'],
        catchUp: { exec: ['false'] },
        catchUpTimeout: '50ms',
        catchUpInterval: '10ms',
      };
      const ctx = makeKindContext({ baseDir });
      const before = await rulesFlipKind.observe(params, ctx);
      const decision = rulesFlipKind.decide(params, before);
      if (decision.action !== 'change') throw new Error('expected a change');
      const e = await rulesFlipKind.apply(params, { current: before, desired: decision.desired }, ctx).catch((x: unknown) => x);
      expect((e as Error).message).toMatch(
        /^data did not catch up within 50ms: exit code 1, want 0; the fence was lifted and the old map \(version 1\) stays$/,
      );
      expect((e as { retryable: boolean }).retryable).toBe(true);
      const now = await rulesFlipKind.observe(params, ctx);
      expect(now).toMatchObject({ fence: null, ownedByCut: '80-99', map: before.map });
    } finally {
      await store.close();
    }
  });

  test('an unsafe cut is described as refused and fails without retry, changing nothing', async () => {
    const store = await publishLab('refuse');
    try {
      const params: RulesFlipParams = {
        store: `${redis.url}?prefix=refuse:`,
        topology: 'topology.yaml',
        cut: ['hz-a', 'hz-b', 'sh-a', 'sh-b'],
      };
      const ctx = makeKindContext({ baseDir });
      const before = await rulesFlipKind.observe(params, ctx);
      expect(rulesFlipKind.describe(params, before, undefined)).toBe(
        'refusing to flip: zone RZ05 (sz-a) would own 100 shards but its capacity is 60: over by 40',
      );
      const decision = rulesFlipKind.decide(params, before);
      if (decision.action !== 'change') throw new Error('expected a change');
      const e = await rulesFlipKind.apply(params, { current: before, desired: decision.desired }, ctx).catch((x: unknown) => x);
      expect((e as { retryable: boolean }).retryable).toBe(false);
      expect((await store.read())?.version).toBe(1);
    } finally {
      await store.close();
    }
  });

  test('a later step keeps earlier cuts: cutting sh-a after Hangzhou moves RZ03 to Shenzhen, never back to hz-a', async () => {
    const store = await publishLab('cumulative');
    try {
      const ctx = makeKindContext({ baseDir });
      const step = async (cut: string[]) => {
        const params: RulesFlipParams = { store: `${redis.url}?prefix=cumulative:`, topology: 'topology.yaml', cut };
        const before = await rulesFlipKind.observe(params, ctx);
        const d = rulesFlipKind.decide(params, before);
        if (d.action === 'change') await rulesFlipKind.apply(params, { current: before, desired: d.desired }, ctx);
        return { before, d, text: rulesFlipKind.describe(params, before, undefined) };
      };
      await step(['hz-a', 'hz-b']);
      const shA = await step(['sh-a']);
      expect(shA.before).toMatchObject({ recordedCut: ['hz-a', 'hz-b'], cutToRecord: ['sh-a'], ownedByCut: '00-19, 40-59' });
      expect(shA.text).toBe('shards 00-19, 40-59: RZ03 (sh-a) → RZ05 (sz-a)');
      const again = await step(['hz-a']);
      expect(again.d).toEqual({ action: 'noop', reason: 'already flipped: no shard owned by hz-a' });
      expect(await store.read()).toMatchObject({ cut: ['hz-a', 'hz-b', 'sh-a'], fence: null });
    } finally {
      await store.close();
    }
  });

  test('static checks: bad store URL, empty cut, bad duration', () => {
    expect(rulesFlipKind.check?.({ store: 'mysql://x', topology: 't.yaml', cut: [], catchUpTimeout: 'soon' })).toEqual([
      {
        path: ['store'],
        message:
          'unsupported rules store "mysql://x": use redis://HOST:PORT[/DB][?prefix=P] (the grammar of --state), etcd://HOST:PORT[,HOST:PORT...][/PREFIX] or file:PATH.json',
      },
      { path: ['cut'], message: 'cut names no data center (or set home: true to fail back)' },
      { path: ['catchUpTimeout'], message: 'bad duration "soon": use e.g. 500ms, 30s, 1m30s' },
    ]);
  });
});

describe('rules.flip kind on a real etcd cluster', () => {
  let etcd: TestEtcd;
  beforeAll(async () => void (etcd = await startTestEtcd(3)));
  afterAll(async () => etcd?.stop());

  test('full life with store etcd://…: apply (fence → catch-up → flip → unfence), again = noop, rollback restores the map', async () => {
    const url = etcd.url('life');
    const store = await openRuleStore(url, baseDir);
    try {
      await store.compareAndSet(0, { kind: 'init', map: initialMap(await labTopology()), fence: null });
      const seen: RuleChange[] = [];
      const sub = await store.subscribe((c) => seen.push(c));
      const params: RulesFlipParams = {
        store: url,
        topology: 'topology.yaml',
        cut: 'hz-a, hz-b',
        catchUp: { exec: ['true'] },
        catchUpTimeout: '5s',
      };
      expect(rulesFlipKind.check?.(params)).toEqual([]);
      const life = await runStepLife(rulesFlipKind, params, { baseDir });
      expect(life.before).toMatchObject({ version: 1, ownedByCut: '00-39', fence: null });
      expect(life.after).toMatchObject({ version: 4, ownedByCut: '', fence: null });
      expect(life.again).toEqual({ action: 'noop', reason: 'already flipped: no shard owned by hz-a, hz-b' });
      expect(life.restored?.map).toEqual(life.before.map);
      await waitFor(() => seen.length >= 6, 'six changes watched');
      await sub.close();
      expect(seen.map((c) => `${c.version}:${c.kind}`)).toEqual(['2:fence', '3:map', '4:unfence', '5:fence', '6:rollback', '7:unfence']);
    } finally {
      await store.close();
    }
  });

  test('a bad etcd URL is refused by the static check, naming it', () => {
    expect(rulesFlipKind.check?.({ store: 'etcd://h1:99999/x', topology: 'topology.yaml', cut: 'hz-a' } as RulesFlipParams)).toMatchObject([
      { message: expect.stringContaining('port 99999') },
    ]);
  });
});

describe('rules.flip deadlines: its Redis store frozen mid-step (SIGSTOP) never holds the step past its deadline', () => {
  test('observe waiting on a frozen store stops at once when the signal aborts', async () => {
    await (await publishLab('frozen-observe')).close();
    const params: RulesFlipParams = { store: `${redis.url}?prefix=frozen-observe:`, topology: 'topology.yaml', cut: ['sz-a'] };
    const r = await whileFrozen([redis.pid], () =>
      abortMidStep((ctx) => rulesFlipKind.observe(params, ctx), { port: redis.port, baseDir }),
    );
    expectStoppedInGrace(r);
  });

  test("apply with the store frozen after the fence (the flip's write gets no answer) stops within the grace when the signal aborts", async () => {
    await (await publishLab('frozen-apply')).close();
    const params: RulesFlipParams = { store: `${redis.url}?prefix=frozen-apply:`, topology: 'topology.yaml', cut: ['sz-a'] };
    const before = await rulesFlipKind.observe(params, makeKindContext({ baseDir }));
    const decision = rulesFlipKind.decide(params, before);
    if (decision.action !== 'change') throw new Error('expected a change');
    let frozen = false;
    try {
      const r = await abortMidStep((ctx) => rulesFlipKind.apply(params, { current: before, desired: decision.desired }, ctx), {
        baseDir,
        // the store freezes the moment the fence is in place; the step is aborted once the flip has been sent
        onProgress: (m) => {
          if (m.startsWith('fence done') && !frozen) {
            frozen = true;
            process.kill(redis.pid, 'SIGSTOP');
          }
        },
        until: (ctx) => ctx.progressLog.some((m) => m.startsWith('flip: ')),
      });
      expect(frozen).toBe(true);
      expectStoppedInGrace(r);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
  });
});
