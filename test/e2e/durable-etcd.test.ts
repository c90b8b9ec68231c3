import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { drctl } from '../helpers/cli.js';
import { startTestEtcd, type TestEtcd } from '../helpers/etcd-cluster.js';
import { waitFor } from '../helpers/wait-for.js';
import { CHAIN_CHANGES, CHAIN_SWITCHED, durableWorkspace, type DurableWorkspace } from './durable-kit.js';

// The built CLI with --state etcd:// (or DRCTL_STATE) on a real 3-member cluster, while members are
// killed or frozen under it. The lock tests (durable-lock.test.ts) run on etcd too.
let etcd: TestEtcd;
let ws: DurableWorkspace | undefined;
const thaw: string[] = [];
beforeAll(async () => void (etcd = await startTestEtcd(3)));
afterAll(async () => etcd?.stop());
afterEach(async () => {
  for (const name of thaw.splice(0)) etcd.thaw(name);
  await ws?.cleanup();
  ws = undefined;
});

let n = 0;
const freeze = (name: string): void => {
  etcd.freeze(name);
  thaw.push(name);
};

/** The run finished, each change made once, its journal whole (seq 1..n) and written under one token. */
async function expectFinishedWhole(w: DurableWorkspace, r: { exitCode?: number | null; stderr: unknown }, runId: string): Promise<void> {
  expect(r.exitCode, String(r.stderr)).toBe(0);
  expect(await w.changes()).toEqual(CHAIN_CHANGES);
  const records = await w.journal(runId);
  expect(records.map((x) => x['seq'])).toEqual(records.map((_, i) => i + 1));
  expect(new Set(records.map((x) => x['fence']))).toEqual(new Set([1]));
  expect(records.filter((x) => x['type'] === 'step.applied').map((x) => x['stepId'])).toEqual(['a', 'b', 'c']);
}

describe('durable runs through the etcd state store', () => {
  it('a run cut off on one controller is seen and resumed by another controller that only has DRCTL_STATE', async () => {
    ws = await durableWorkspace(etcd.url(`ctl${++n}`));
    await ws.hold('b.after');
    // a lease no loaded machine outlives before the resume below: the takeover is for the dead process, not an expired lease
    await ws.killAt(ws.start(['run', 'chain.yaml', '--yes', '--lease', '120s']), 'b.after');
    await ws.release('b.after');
    const runId = await ws.onlyRunId();
    // the other controller: another folder, no local state, the store named by the environment only
    const other = { cwd: os.tmpdir(), env: { ...ws.env, DRCTL_STATE: ws.state } };
    const status = await drctl(['status'], other);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toContain(`${runId} (run of durable-chain)`);
    expect(status.stdout).toMatch(/applied\s+a\n\s+cut-off\s+b\n\s+waiting\s+c/);
    expect(status.stdout).toMatch(
      /lock durable-chain: held by run \S+ \(run\) .* lease until \S+, token 1 — STALE \(holder process is gone\)/,
    );
    const resumed = await drctl(['resume', runId, '--yes'], other);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/took over the lock "durable-chain" from run \S+ \(\S+ pid \d+\): its process is gone/);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
    expect(await ws.estate()).toMatchObject(CHAIN_SWITCHED);
    const history = JSON.parse((await drctl(['history', '--json'], other)).stdout);
    expect(history.result.runs).toMatchObject([{ runId, status: 'succeeded' }]);
    const report = JSON.parse((await drctl(['report', runId, '--format', 'json'], other)).stdout).result;
    expect(report.steps.map((s: { status: string }) => s.status)).toEqual(['applied', 'applied', 'applied']);
    // and undone from the journal and the runbook copy kept in etcd (DRCTL_STATE only, no local state)
    const rb = await drctl(['rollback', runId, '--yes'], { ...other, cwd: ws.dir });
    expect(rb.exitCode, rb.stderr).toBe(0);
    expect((await ws.changes()).slice(3)).toEqual(['lb.active=hz-a', 'cache.master=hz-a', 'db.primary=hz-a']);
    const again = await drctl(['resume', runId, '--yes'], other);
    expect(again.exitCode).toBe(4);
    expect(again.stderr).toContain(`run ${runId} was rolled back: it cannot be resumed`);
  });

  it('SIGKILL of the etcd leader mid-run: the run goes on after the election, no record lost or doubled', async () => {
    ws = await durableWorkspace(etcd.url(`kill${++n}`));
    await ws.hold('b.before');
    const run = ws.start(['run', 'chain.yaml', '--yes']);
    await ws.reached('b.before');
    const runId = await ws.onlyRunId();
    const leader = await etcd.leader();
    await etcd.kill(leader.name);
    try {
      await ws.release('b.before');
      await expectFinishedWhole(ws, await run, runId);
    } finally {
      await etcd.restart(leader.name);
    }
  });

  it('the leader frozen for longer than the lease (a minority cut): no effect on the run', async () => {
    ws = await durableWorkspace(etcd.url(`minority${++n}`));
    // b waits at b.before while the test watches two TTLs go by (each `status` a process of its own, slow
    // under load): its time limit is not what this test is about
    const chain = path.join(ws.dir, 'chain.yaml');
    await writeFile(chain, (await readFile(chain, 'utf8')).replace(/(- id: b\n)(\s+)(kind: exec\n)/, '$1$2$3$2timeout: 5m\n'));
    expect(await readFile(chain, 'utf8')).toMatch(/- id: b\n\s+kind: exec\n\s+timeout: 5m\n/);
    await ws.hold('b.before');
    const run = ws.start(['run', 'chain.yaml', '--yes', '--lease', '5s']);
    await ws.reached('b.before');
    const runId = await ws.onlyRunId();
    freeze((await etcd.leader()).name);
    const frozenAt = Date.now();
    // the event that proves the lease survived the freeze: the lock, read from the cluster after twice its TTL, still the run's
    await waitFor(
      async () => {
        const asked = Date.now();
        const locks = JSON.parse((await ws?.run(['status', '--json']))?.stdout ?? '{}').result?.locks as
          { holder: { runId: string; token: number } }[] | undefined;
        expect(locks?.map((l) => [l.holder.runId, l.holder.token])).toEqual([[runId, 1]]);
        return asked > frozenAt + 10_000;
      },
      'the lease to outlive two TTLs with the leader frozen',
      60_000,
      500,
    );
    await ws.release('b.before');
    await expectFinishedWhole(ws, await run, runId);
  });

  it('a frozen majority: the run stops safely (state store unreachable, no new step) and resume finishes it after the thaw', async () => {
    ws = await durableWorkspace(etcd.url(`majority${++n}`));
    await ws.hold('b.before');
    const run = ws.start(['run', 'chain.yaml', '--yes', '--lease', '5s']);
    await ws.reached('b.before');
    const runId = await ws.onlyRunId();
    const [m1, m2] = etcd.members;
    freeze(m1?.name ?? '');
    freeze(m2?.name ?? '');
    await ws.release('b.before'); // b's change lands; its outcome cannot be journaled
    const r = await run;
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(
      /error: state store unreachable: etcd:\/\/127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+\/majority\d+: /,
    );
    expect(String(r.stderr)).toContain(`drctl resume ${runId}`);
    expect(String(r.stderr)).not.toMatch(/\n\s+at |internal error/);
    expect(await ws.changes()).toEqual(['db.primary=sh-a', 'cache.master=sh-a']); // no new step started
    for (const name of thaw.splice(0)) etcd.thaw(name);
    await etcd.leader();
    const resumed = await ws.run(['resume', runId, '--yes']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES); // b was not applied twice
    const records = await ws.journal(runId);
    expect(records.map((x) => x['seq'])).toEqual(records.map((_, i) => i + 1));
    expect(records.filter((x) => x['type'] === 'step.recovered').map((x) => x['stepId'])).toEqual(['b']);
  });
});
