import { createHash } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisFailoverKind as kind, type RedisFailoverParams } from '../../../src/kinds/redis-failover/index.js';
import { isStepError } from '../../../src/model/kind.js';
import { redisCli, startRedisServer, waitReplicaLinked } from '../../../src/lab/redis.js';
import { startSentinel, waitSentinelsConverged } from '../../../src/lab/sentinel.js';
import { abortMidStep, expectStoppedInGrace, whileFrozen } from '../../helpers/abort-mid-step.js';
import { freePort } from '../../helpers/free-port.js';
import { heldProxy } from '../../helpers/held-proxy.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { processTracker } from '../../helpers/lab-processes.js';
import { pollHolds, rollbackTo, runStepLife } from '../../helpers/step-life.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

// One real estate for the file: a Sentinel group (master hz-a, replicas sh-a, sz-a, 3 sentinels), a
// direct-mode pair, and a standalone Redis that is nobody's replica.
const procs = processTracker();
let cleanup: () => Promise<void> = async () => undefined;
const addr = (p: number): string => `127.0.0.1:${p}`;
let sentinelParams: RedisFailoverParams;
let directParams: RedisFailoverParams;
let standalone: number;

async function redis(dir: string, name: string, replicaOf?: number, priority?: number): Promise<number> {
  const port = await freePort();
  const s = await startRedisServer({
    dir: path.join(dir, name),
    port,
    ...(replicaOf ? { replicaOf } : {}),
    ...(priority ? { priority } : {}),
  });
  procs.add(s.pid);
  pidOf.set(port, s.pid);
  if (replicaOf) await waitReplicaLinked(port);
  return port;
}
const pidOf = new Map<number, number>();
const portOf = (a: string | undefined): number => Number(a?.split(':')[1]);

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-redis-kind-');
  cleanup = tmp.cleanup;
  const m = await redis(tmp.dir, 'hz-a');
  // The lab's priorities: the planned partner wins the switch, the Hangzhou node the fail-back.
  const [r1, r2] = await Promise.all([redis(tmp.dir, 'sh-a', m, 10), redis(tmp.dir, 'sz-a', m, 200)]);
  const sentinels = await Promise.all(
    [0, 1, 2].map(async (i) => {
      const port = await freePort();
      const s = await startSentinel({
        dir: path.join(tmp.dir, `sentinel-${i}`),
        port,
        monitors: [{ name: 'grp', masterPort: m }],
        quorum: 2,
      });
      procs.add(s.pid);
      return port;
    }),
  );
  await waitSentinelsConverged(sentinels, [{ name: 'grp', replicas: 2 }]);
  sentinelParams = {
    sentinels: sentinels.map(addr),
    master: 'grp',
    to: { dc: 'sh-a' },
    nodes: [
      { addr: addr(m), dc: 'hz-a' },
      { addr: addr(r1 ?? 0), dc: 'sh-a' },
      { addr: addr(r2 ?? 0), dc: 'sz-a' },
    ],
  };
  const dm = await redis(tmp.dir, 'direct-hz-b');
  const dr = await redis(tmp.dir, 'direct-sh-b', dm);
  directParams = {
    master: 'direct',
    to: 'sh-b',
    nodes: [
      { addr: addr(dm), dc: 'hz-b' },
      { addr: addr(dr), dc: 'sh-b' },
    ],
  };
  standalone = await redis(tmp.dir, 'standalone');
}, 60_000);

afterAll(async () => {
  await procs.stopAll();
  await cleanup();
});

/** Poll until `ok` holds for what `observe` returns (20 s at most). */
async function pollHoldsFor<S>(observe: () => Promise<S>, ok: (s: S) => boolean): Promise<void> {
  const until = Date.now() + 20_000;
  while (!ok(await observe())) {
    if (Date.now() > until) throw new Error('did not hold within 20s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const role = async (a: string): Promise<string> => (await redisCli(Number(a.split(':')[1]), ['ROLE'])).split('\n')[0] ?? '';

/** What a plan must not touch: replication (without offsets and lags, which move) and CONFIG GET * of every node; each sentinel's master and epoch. */
async function snapshot(): Promise<unknown> {
  const nodes = [...(sentinelParams.nodes ?? []), ...(directParams.nodes ?? [])].map((n) => Number(n.addr.split(':')[1]));
  const volatile =
    /^(master_repl_offset|second_repl_offset|repl_backlog_\w+|master_last_io_seconds_ago|slave_read_repl_offset|slave_repl_offset|master_sync_\w+)$/;
  return {
    nodes: await Promise.all(
      nodes.map(async (port) => ({
        replication: (await redisCli(port, ['INFO', 'replication']))
          .split('\r\n')
          .filter((l) => l.includes(':') && !volatile.test(l.split(':')[0] ?? ''))
          .map((l) => l.replace(/,offset=\d+,lag=\d+/, '')),
        config: createHash('sha256')
          .update(await redisCli(port, ['CONFIG', 'GET', '*']))
          .digest('hex'),
      })),
    ),
    sentinels: await Promise.all(
      (sentinelParams.sentinels ?? []).map(async (a) => {
        const m = (await redisCli(Number(a.split(':')[1]), ['SENTINEL', 'MASTER', 'grp'])).split('\n');
        return ['ip', 'port', 'config-epoch', 'num-slaves'].map((k) => m[m.indexOf(k) + 1]);
      }),
    ),
  };
}

describe('redis.failover through Sentinel', () => {
  it('moves mastership to the data center, is a skip when run again, and rolls back', async () => {
    const nodes = sentinelParams.nodes ?? [];
    const r = await runStepLife(kind, sentinelParams, { timeoutMs: 60_000 });
    expect(r.before.master).toBe(nodes[0]?.addr);
    expect(r.decision.action).toBe('change');
    expect(r.after?.master).toBe(nodes[1]?.addr);
    expect(r.after?.masterDc).toBe('sh-a');
    expect(Object.values(r.after?.sentinels ?? {})).toEqual([nodes[1]?.addr, nodes[1]?.addr, nodes[1]?.addr]);
    expect(r.again?.action).toBe('noop');
    expect(r.describe).toContain('(hz-a) →');
    expect(r.ctx.notes['failoverMs']).toBeGreaterThan(0);
    // rollback restored the real servers
    expect(r.restored?.master).toBe(nodes[0]?.addr);
    expect(await role(nodes[0]?.addr ?? '')).toBe('master');
    expect(await role(nodes[1]?.addr ?? '')).toBe('slave');
  });

  it('promotes a replica Sentinel would not pick by priority (others held at priority 0, then restored)', async () => {
    const nodes = sentinelParams.nodes ?? [];
    const r = await runStepLife(kind, { ...sentinelParams, to: { dc: 'sz-a' } }, { timeoutMs: 60_000 });
    expect(r.after?.master).toBe(nodes[2]?.addr);
    expect(r.again?.action).toBe('noop');
    expect(r.restored?.master).toBe(nodes[0]?.addr);
    const prio = async (a: string | undefined): Promise<string> =>
      (await redisCli(Number(a?.split(':')[1]), ['CONFIG', 'GET', 'replica-priority'])).split('\n')[1] ?? '';
    expect([await prio(nodes[0]?.addr), await prio(nodes[1]?.addr), await prio(nodes[2]?.addr)]).toEqual(['100', '10', '200']);
  });

  it("observe and plan change nothing: every node's replication and whole config, every sentinel's view", async () => {
    // the failover leader of the previous test reports the old address (with the new epoch) until its
    // replicas are reconfigured: wait until no sentinel is failing over and all name one master
    await waitFor(
      async () => {
        const views = await Promise.all((sentinelParams.sentinels ?? []).map((a) => redisCli(portOf(a), ['SENTINEL', 'MASTER', 'grp'])));
        const field = (v: string, k: string): string | undefined => {
          const l = v.split('\n');
          return l[l.indexOf(k) + 1];
        };
        return views.every((v) => !(field(v, 'flags') ?? '').includes('failover') && field(v, 'port') === field(views[0] ?? '', 'port'));
      },
      'the sentinels to settle after the previous failover',
      30_000,
    );
    const before = await snapshot();
    const ctx = makeKindContext();
    for (const p of [sentinelParams, { ...sentinelParams, to: { dc: 'sz-a' } }, directParams]) {
      const s = await kind.observe(p, ctx);
      kind.decide(p, s);
      kind.describe(p, s, undefined);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a target that is not a replica of the group', async () => {
    const p = { ...sentinelParams, to: { dc: 'sz-b' }, nodes: [...(sentinelParams.nodes ?? []), { addr: addr(standalone), dc: 'sz-b' }] };
    const ctx = makeKindContext();
    const s = await kind.observe(p, ctx);
    const d = kind.decide(p, s);
    expect(d.action).toBe('change');
    if (d.action !== 'change') return;
    const e = await kind.apply(p, { current: s, desired: d.desired }, ctx).catch((x: unknown) => x);
    expect(isStepError(e) && !e.retryable).toBe(true);
    expect((e as Error).message).toMatch(new RegExp(`redis 127.0.0.1:${standalone}: ROLE is .*, want a replica of`));
  });

  it('names an unknown group and an unknown target clearly', async () => {
    const ctx = makeKindContext();
    await expect(kind.observe({ ...sentinelParams, master: 'nope' }, ctx)).rejects.toThrow(/no group named "nope"/);
    const s = await kind.observe(sentinelParams, ctx);
    expect(() => kind.decide({ ...sentinelParams, to: { addr: '127.0.0.1:1' } }, s)).toThrow(/127.0.0.1:1: not a node of group grp/);
  });
});

describe('redis.failover direct (no Sentinel)', () => {
  it('REPLICAOF NO ONE on the target, re-points the others, skips when done, rolls back', async () => {
    const [hz, sh] = (directParams.nodes ?? []).map((n) => n.addr);
    const r = await runStepLife(kind, directParams, { timeoutMs: 30_000 });
    expect(r.after?.master).toBe(sh);
    expect(r.again?.action).toBe('noop');
    expect(r.restored?.master).toBe(hz);
    expect(await role(hz ?? '')).toBe('master');
    expect(await role(sh ?? '')).toBe('slave');
  });

  it('a fail-back that meets the old master back as master (a healed cut) keeps the writes made during the switch', async () => {
    const [hz, sh] = (directParams.nodes ?? []).map((n) => n.addr ?? '');
    const port = (a: string): number => Number(a.split(':')[1]);
    const ctx = makeKindContext();
    const before = await kind.observe(directParams, ctx);
    expect(before.master).toBe(hz);
    const d = kind.decide(directParams, before);
    if (d.action !== 'change') throw new Error('expected a change');
    await kind.apply(directParams, { current: before, desired: d.desired }, ctx);
    await pollHoldsFor(
      () => kind.observe(directParams, ctx),
      (st) => kind.holds(directParams, d.desired, st).ok,
    );
    // written on the new master during the switch, then the old one comes back as a master of its own
    await redisCli(port(sh), ['SET', 'written-during-switch', 'yes']);
    await redisCli(port(hz), ['REPLICAOF', 'NO', 'ONE']);
    const split = await kind.observe(directParams, ctx);
    expect(
      split.nodes
        .filter((n) => n.role === 'master')
        .map((n) => n.addr)
        .sort(),
    ).toEqual([hz, sh].sort());
    await kind.rollback?.(directParams, { current: split, desired: before }, ctx);
    await pollHoldsFor(
      () => kind.observe(directParams, ctx),
      (st) => kind.holds(directParams, before, st).ok,
    );
    expect(await role(hz)).toBe('master');
    expect(await role(sh)).toBe('slave');
    expect(await redisCli(port(hz), ['GET', 'written-during-switch'])).toBe('yes');
  });

  it('a live old master in a lost data center answering only after the target became master: re-pointed then, counted by verify', async () => {
    const [hz, sh] = (directParams.nodes ?? []).map((n) => n.addr ?? '');
    const hzPort = Number(hz.split(':')[1]);
    const home = await kind.observe(directParams, makeKindContext());
    expect(home.master).toBe(hz);
    // the old master behind a relay (127.0.0.2, same port) holding its answers until the switch is done
    const proxy = await heldProxy('127.0.0.2', hzPort, { host: '127.0.0.1', port: hzPort });
    const relayed = `127.0.0.2:${hzPort}`;
    try {
      const p: RedisFailoverParams = {
        ...directParams,
        nodeTimeout: '10m', // observe returning while its answer is held: not waited for
        nodes: [
          { addr: relayed, dc: 'hz-b' },
          { addr: sh, dc: 'sh-b' },
        ],
      };
      const ctx = makeKindContext({ timeoutMs: 30_000, lost: ['hz-b'] });
      const s = await kind.observe(p, ctx);
      expect(s.master).toBeNull();
      expect(ctx.notes['nodesNotWaitedFor']).toEqual([relayed]);
      const d = kind.decide(p, s);
      if (d.action !== 'change') throw new Error('expected a change');
      await kind.apply(p, { current: s, desired: d.desired }, ctx);
      proxy.release();
      await proxy.answered; // its answer (master) came after the switch, during the step
      const after = await pollHolds(kind, p, d.desired, ctx, 100, 'verify');
      expect(ctx.notes['repointedLate']).toBe(relayed);
      expect(after.nodes.find((n) => n.addr === relayed)).toMatchObject({ role: 'replica', masterAddr: sh, link: 'connected' });
      expect(await role(hz)).toBe('slave');
      expect(await role(sh)).toBe('master');
    } finally {
      await proxy.close();
    }
    expect((await rollbackTo(kind, directParams, home, makeKindContext({ timeoutMs: 30_000 }))).master).toBe(hz);
    expect(await role(hz)).toBe('master');
  });

  it("never promotes a node that is not a replica of the group's master: a standalone target, or a split with two masters, is refused at decide and changes nothing", async () => {
    const [hz] = (directParams.nodes ?? []).map((n) => n.addr);
    const ctx = makeKindContext();
    // a standalone node (its own master, another data set) as the target data center's only node
    const withStandalone = { ...directParams, to: 'sz-b', nodes: [...(directParams.nodes ?? []), { addr: addr(standalone), dc: 'sz-b' }] };
    const s = await kind.observe(withStandalone, ctx);
    const before = await snapshot();
    expect(() => kind.decide(withStandalone, s)).toThrow(
      /2 nodes answer ROLE master .*a split; drctl will not pick which data set survives/,
    );
    // the same node listed where the group has one master: a target that is not its replica
    const stale = {
      ...s,
      nodes: s.nodes.map((n) =>
        n.addr === addr(standalone) ? { ...n, role: 'replica' as const, masterAddr: '127.0.0.1:1', link: 'connected', offset: 0 } : n,
      ),
    };
    expect(() => kind.decide(withStandalone, stale)).toThrow(
      new RegExp(
        `redis 127.0.0.1:${standalone}: ROLE is slave of 127.0.0.1:1 \\(link connected\\), want a replica of the group's master ${hz}`,
      ),
    );
    // apply refuses as well (a plan made elsewhere), and nothing moved
    const e = await kind
      .apply(withStandalone, { current: s, desired: { ...s, master: addr(standalone), masterDc: 'sz-b', nodes: [] } }, ctx)
      .catch((x: unknown) => x);
    expect(isStepError(e) && !e.retryable).toBe(true);
    expect(await snapshot()).toEqual(before);
    expect(await role(hz ?? '')).toBe('master');
  });
});

describe('redis.failover against servers that do not answer', () => {
  it('fails within the timeout with a message naming the servers (refused and silent)', async () => {
    const closed = await freePort();
    // A silent peer: accepts TCP but never answers, like a frozen (cut) server.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as net.AddressInfo).port;
    try {
      const ctx = makeKindContext({ timeoutMs: 10_000 });
      const e = await kind
        .observe({ ...sentinelParams, sentinels: [addr(closed), addr(silentPort)], nodeTimeout: '500ms' }, ctx)
        .catch((x: unknown) => x);
      // A StepError from the kind, not the step deadline: it gave up on its own (nodeTimeout), before the timeout.
      expect(ctx.signal.aborted).toBe(false);
      expect(isStepError(e)).toBe(true);
      expect((e as Error).message).toContain(`redis 127.0.0.1:${closed}: unreachable`);
      expect((e as Error).message).toContain(`redis 127.0.0.1:${silentPort}`);
      // the same silent sentinel in a lost data center: not waited for (a 10 min timeout), the others decide
      const lostCtx = makeKindContext({ timeoutMs: 30_000, lost: ['hz-a'] });
      const s = await kind.observe(
        {
          ...sentinelParams,
          sentinels: [...(sentinelParams.sentinels ?? []), addr(silentPort)],
          dcs: { [addr(silentPort)]: 'hz-a' },
          nodeTimeout: '10m',
        },
        lostCtx,
      );
      expect(s.master).toBe(sentinelParams.nodes?.[0]?.addr);
      expect(s.sentinels[addr(silentPort)]).toBe(
        'unreachable: in lost data center hz-a: no answer by the time the survivors answered (not waited for)',
      );
      expect(lostCtx.notes['sentinelsNotWaitedFor']).toEqual([addr(silentPort)]);
    } finally {
      silent.close();
    }
  });
});

describe('redis.failover deadlines: a node frozen mid-step (SIGSTOP) never holds the step past its deadline', () => {
  // the direct-mode pair (no Sentinel watches it: freezing it elects nothing); node timeouts of minutes,
  // so only the step's signal can end the calls
  const slow = (): RedisFailoverParams => ({ ...directParams, nodeTimeout: '10m' });
  const [masterPort, replicaPort] = [
    (): number => portOf(directParams.nodes?.[0]?.addr),
    (): number => portOf(directParams.nodes?.[1]?.addr),
  ];

  it('observe waiting on a frozen master stops at once when the signal aborts', async () => {
    const r = await whileFrozen([pidOf.get(masterPort()) ?? 0], () =>
      abortMidStep((ctx) => kind.observe(slow(), ctx), { port: masterPort() }),
    );
    expectStoppedInGrace(r);
  });

  it('a node in a lost data center (ctx.lost) is not waited for: observe reads the others and records its silence', async () => {
    // node timeouts of minutes: waiting on the frozen master would outlast the context's 30 s deadline
    const ctx = makeKindContext({ timeoutMs: 30_000, lost: ['hz-b'] });
    const s = await whileFrozen([pidOf.get(masterPort()) ?? 0], () => kind.observe(slow(), ctx));
    const [m, r] = [directParams.nodes?.[0]?.addr, directParams.nodes?.[1]?.addr];
    expect(s.nodes.find((n) => n.addr === m)).toMatchObject({
      role: 'unreachable',
      dc: 'hz-b',
      detail: 'in lost data center hz-b: no answer by the time the survivors answered (not waited for)',
    });
    expect(s.nodes.find((n) => n.addr === r)?.role).toBe('replica');
    expect(ctx.notes['nodesNotWaitedFor']).toEqual([m]);
  });

  it('apply waiting on a frozen target (REPLICAOF NO ONE sent, no answer) stops at once when the signal aborts', async () => {
    const p = slow();
    const s = await kind.observe(p, makeKindContext());
    const d = kind.decide(p, s);
    if (d.action !== 'change') throw new Error('expected a change');
    try {
      const r = await whileFrozen([pidOf.get(replicaPort()) ?? 0], () =>
        abortMidStep((ctx) => kind.apply(p, { current: s, desired: d.desired }, ctx), { port: replicaPort() }),
      );
      expectStoppedInGrace(r);
    } finally {
      // the command left in the frozen node's socket may run once thawed, before or after anything sent
      // now: the pair is put back until it stays back
      await waitFor(
        async () => {
          const role = (await redisCli(replicaPort(), ['ROLE'])).split('\n');
          if (role[0] === 'slave' && role[2] === String(masterPort()) && role[3] === 'connected') return true;
          if (role[0] !== 'slave') await redisCli(replicaPort(), ['REPLICAOF', '127.0.0.1', String(masterPort())]);
          return false;
        },
        'the direct pair to be back',
        20_000,
        100,
      );
    }
  });
});
