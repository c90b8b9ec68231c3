import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisFailoverKind as kind, type RedisFailoverParams, type RedisFailoverState } from '../../../src/kinds/redis-failover/index.js';
import { redisCli, startRedisServer, waitReplicaLinked } from '../../../src/lab/redis.js';
import { signalServer } from '../../../src/lab/process.js';
import { startSentinel, waitSentinelsConverged } from '../../../src/lab/sentinel.js';
import { freePort } from '../../helpers/free-port.js';
import { makeKindContext, type TestKindContext } from '../../helpers/kind-context.js';
import { processTracker } from '../../helpers/lab-processes.js';
import { pollHolds } from '../../helpers/step-life.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

// The race seen in the lab rehearsal: Sentinel elects the step's target by itself (its master was cut,
// or someone ran SENTINEL FAILOVER) while the step is acting. Two groups (Sentinel will not fail the same
// group over twice within 2 × failover-timeout), each a master in hz and one replica in sh, 3 sentinels.
const procs = processTracker();
let cleanup: () => Promise<void> = async () => undefined;
const addr = (p: number): string => `127.0.0.1:${p}`;
const groups: Record<string, { params: RedisFailoverParams; masterPid: number }> = {};
let sentinelPorts: number[] = [];

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-redis-race-');
  cleanup = tmp.cleanup;
  const nodes: Record<string, { m: number; r: number; pid: number }> = {};
  for (const g of ['manual', 'cut']) {
    const [m, r] = [await freePort(), await freePort()];
    const master = await startRedisServer({ dir: path.join(tmp.dir, `${g}-hz`), port: m });
    procs.add(master.pid);
    procs.add((await startRedisServer({ dir: path.join(tmp.dir, `${g}-sh`), port: r, replicaOf: m })).pid);
    await waitReplicaLinked(r);
    nodes[g] = { m, r, pid: master.pid };
  }
  sentinelPorts = await Promise.all(
    [0, 1, 2].map(async (i) => {
      const port = await freePort();
      const monitors = Object.entries(nodes).map(([name, n]) => ({ name, masterPort: n.m }));
      procs.add((await startSentinel({ dir: path.join(tmp.dir, `sentinel-${i}`), port, monitors, quorum: 2 })).pid);
      return port;
    }),
  );
  await waitSentinelsConverged(
    sentinelPorts,
    Object.keys(nodes).map((name) => ({ name, replicas: 1 })),
  );
  for (const [g, n] of Object.entries(nodes)) {
    groups[g] = {
      masterPid: n.pid,
      params: {
        sentinels: sentinelPorts.map(addr),
        master: g,
        to: 'sh-a',
        nodes: [
          { addr: addr(n.m), dc: 'hz-a' },
          { addr: addr(n.r), dc: 'sh-a' },
        ],
      },
    };
  }
}, 60_000);

afterAll(async () => {
  await procs.stopAll();
  await cleanup();
});

const configEpoch = async (group: string): Promise<number> => {
  const lines = (await redisCli(sentinelPorts[0] ?? 0, ['SENTINEL', 'MASTER', group])).split('\n');
  return Number(lines[lines.indexOf('config-epoch') + 1]);
};

/**
 * The step's observation in the middle of Sentinel's election: the target already has ROLE master while
 * the sentinels (by majority) still name the old master. Catching that window by polling observe depends
 * on how fast the machine is (on a busy one the sentinels often switch between two polls), so it is built
 * from what the step really saw: its observation from before the election, with the target's ROLE as the
 * target itself reports it once promoted (the event: its ROLE reads master).
 */
async function observeMidElection(p: RedisFailoverParams, before: RedisFailoverState): Promise<RedisFailoverState> {
  const sh = p.nodes?.[1]?.addr ?? '';
  expect(before.master).toBe(p.nodes?.[0]?.addr);
  await waitFor(async () => (await redisCli(Number(sh.split(':')[1]), ['ROLE'])).startsWith('master'), `${sh} to be promoted`, 15_000);
  return { ...before, nodes: before.nodes.map((n) => (n.addr === sh ? { addr: n.addr, dc: n.dc, role: 'master' as const } : n)) };
}

/** The step acts on that observation: apply must accept Sentinel's election, and verify must hold. */
async function applyAndVerify(p: RedisFailoverParams, s: RedisFailoverState, ctx: TestKindContext): Promise<RedisFailoverState> {
  const d = kind.decide(p, s);
  if (d.action !== 'change') throw new Error(`expected a change, got ${JSON.stringify(d)}`);
  await kind.apply(p, { current: s, desired: d.desired }, ctx);
  return pollHolds(kind, p, d.desired, ctx, 100, 'verify');
}

describe('redis.failover while Sentinel elects the target by itself', () => {
  it("someone else's SENTINEL FAILOVER in flight: the step waits for it instead of fighting it", async () => {
    const { params: p } = groups['manual'] ?? { params: undefined };
    if (!p) throw new Error('no group');
    const [hz, sh] = (p.nodes ?? []).map((n) => n.addr);
    const ctx = makeKindContext({ timeoutMs: 40_000 });
    const epochBefore = await configEpoch('manual');
    const before = await kind.observe(p, ctx);
    expect(await redisCli(sentinelPorts[0] ?? 0, ['SENTINEL', 'FAILOVER', 'manual'])).toBe('OK');
    const mid = await observeMidElection(p, before);
    const after = await applyAndVerify(p, mid, ctx);
    expect(after.master).toBe(sh);
    expect(Object.values(after.sentinels)).toEqual([sh, sh, sh]);
    // the old master follows the new one (re-pointed at once, not after Sentinel's next 10 s round)
    expect(after.nodes.find((n) => n.addr === hz)).toMatchObject({ role: 'replica', masterAddr: sh });
    // exactly one election: the step neither re-pointed the promoted node nor ran a failover of its own
    expect(await configEpoch('manual')).toBe(epochBefore + 1);
  });

  it('a cut master (frozen): Sentinel elected the target after the step observed; apply accepts it instead of refusing a "stranger"', async () => {
    const { params: p, masterPid } = groups['cut'] ?? { params: undefined, masterPid: 0 };
    if (!p) throw new Error('no group');
    const sh = p.nodes?.[1]?.addr;
    const ctx = makeKindContext({ timeoutMs: 40_000 });
    signalServer(masterPid, 'SIGSTOP');
    try {
      // observed as the cut began: the master silent, the sentinels still naming it
      const before = await kind.observe(p, ctx);
      expect(before.nodes.find((n) => n.addr === p.nodes?.[0]?.addr)?.role).toBe('unreachable');
      const mid = await observeMidElection(p, before);
      // the step's apply runs late: by then every sentinel names the target (the rehearsal's failure)
      await waitFor(
        async () =>
          (await Promise.all(sentinelPorts.map((port) => redisCli(port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'cut'])))).every(
            (v) => v.replace('\n', ':') === sh,
          ),
        'every sentinel to name the target',
        15_000,
      );
      const after = await applyAndVerify(p, mid, ctx);
      expect(after.master).toBe(sh);
      expect(after.nodes.find((n) => n.addr === p.nodes?.[0]?.addr)?.role).toBe('unreachable');
    } finally {
      signalServer(masterPid, 'SIGCONT');
    }
  });
});
