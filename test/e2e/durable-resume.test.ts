import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { CHAIN_CHANGES, CHAIN_SWITCHED, durableWorkspace, type DurableWorkspace } from './durable-kit.js';

let ws: DurableWorkspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

const POINTS = ['a.observe', 'a.before', 'a.after', 'b.observe', 'b.before', 'b.after', 'c.observe', 'c.before', 'c.after'];

describe('durable runs: crash and resume', () => {
  it('SIGKILL at every step boundary and mid-apply, then resume: right final state, no step applied twice; rollback undoes it all', async () => {
    ws = await durableWorkspace();
    let runId: string | undefined;
    for (const point of POINTS) {
      await ws.clearMarkers();
      await ws.hold(point);
      const child = runId === undefined ? ws.start(['run', 'chain.yaml', '--yes']) : ws.start(['resume', runId, '--yes']);
      await ws.killAt(child, point);
      await ws.release(point);
      runId ??= await ws.onlyRunId();
    }
    if (!runId) throw new Error('no run');
    const last = await ws.run(['resume', runId, '--yes']);
    expect(last.exitCode, last.stderr).toBe(0);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
    expect(await ws.estate()).toMatchObject(CHAIN_SWITCHED);

    const records = await ws.journal(runId);
    expect(records.map((r) => r['seq'])).toEqual(records.map((_, i) => i + 1));
    // each kill after the change and before its outcome was recovered by observing, not re-applied
    expect(records.filter((r) => r['type'] === 'step.recovered').map((r) => r['stepId'])).toEqual(['a', 'b', 'c']);
    // every process wrote with its own, growing fencing token
    const fences = records.map((r) => Number(r['fence']));
    expect(fences).toEqual([...fences].sort((x, y) => x - y));
    expect(new Set(fences).size).toBe(POINTS.length + 1);
    const status = JSON.parse((await ws.run(['status', '--json'])).stdout);
    expect(status.result).toEqual({ runs: [], resumable: [], locks: [] });

    const rb = await ws.run(['rollback', runId, '--yes']);
    expect(rb.exitCode, rb.stderr).toBe(0);
    expect((await ws.changes()).slice(3)).toEqual(['lb.active=hz-a', 'cache.master=hz-a', 'db.primary=hz-a']);
    const again = await ws.run(['resume', runId, '--yes']);
    expect(again.exitCode).toBe(4);
    expect(again.stderr).toContain(`run ${runId} was rolled back: it cannot be resumed`);
  });

  it('a drill killed mid-switch resumes to the end, fail-back included', async () => {
    ws = await durableWorkspace();
    await ws.hold('c.after');
    await ws.killAt(ws.start(['drill', 'chain.yaml', '--yes']), 'c.after');
    await ws.release('c.after');
    const runId = await ws.onlyRunId();
    const r = await ws.run(['resume', runId, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('switch: succeeded, fail-back: succeeded');
    expect(await ws.changes()).toEqual([...CHAIN_CHANGES, 'lb.active=hz-a', 'cache.master=hz-a', 'db.primary=hz-a']);
  });

  it('SIGTERM then SIGINT: the second signal cancels the running step at once; the journal stays consistent and the run resumes', async () => {
    ws = await durableWorkspace();
    await ws.hold('b.before');
    const child = ws.start(['run', 'chain.yaml', '--yes']);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await ws.reached('b.before');
    child.kill('SIGTERM');
    await waitFor(() => stderr.includes('SIGTERM: no new step will start'), 'the first signal to be handled');
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(stderr).toContain('drctl resume');
    const runId = await ws.onlyRunId();
    const records = await ws.journal(runId);
    expect(records.map((x) => x['seq'])).toEqual(records.map((_, i) => i + 1));
    expect(records.at(-1)?.['type']).toBe('run.finished');
    expect(records.filter((x) => x['stepId'] === 'b' && x['type'] === 'step.cancelled')).toHaveLength(1);
    const status = JSON.parse((await ws.run(['status', '--json'])).stdout);
    // lock released, run recorded as interrupted: listed as resumable, with its steps
    expect(status.result).toMatchObject({ runs: [], locks: [], resumable: [{ runId, mode: 'run', steps: [{ id: 'a', status: 'applied' }, { id: 'b', status: 'cancelled' }, { id: 'c', status: 'cancelled' }] }] });
    const human = await ws.run(['status']);
    expect(human.stdout).toContain(`${runId} (run of durable-chain) by `);
    expect(human.stdout).toContain(`INTERRUPTED at `);
    expect(human.stdout).toContain(`resume it with \`drctl resume ${runId}\``);
    expect(JSON.parse((await ws.run(['history', '--json'])).stdout).result.runs).toMatchObject([{ runId, status: 'interrupted' }]);
    await ws.release('b.before');
    const resumed = await ws.run(['resume', runId, '--yes']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
  });

  it('an in-flight step that cannot observe is never applied twice silently: resume refuses naming it, then --assume-applied or --reapply decides', async () => {
    ws = await durableWorkspace();
    // b (exec without observe) made its change, then the controller died before journaling the outcome
    await ws.hold('b.after');
    await ws.killAt(ws.start(['run', 'blind.yaml', '--yes']), 'b.after');
    await ws.release('b.after');
    const runId = await ws.onlyRunId();
    const refused = await ws.run(['resume', runId, '--yes']);
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain(`error: run ${runId}: step(s) b journaled an intent but no outcome, and cannot be observed (no observe)`);
    expect(refused.stderr).toContain('hint: check it by hand, then resume with --assume-applied b (the change is in place: record it applied; rollback still restores its before-state) or --reapply b (apply it again)');
    expect(await ws.changes()).toEqual(['db.primary=sh-a', 'cache.master=sh-a']);
    const bad = await ws.run(['resume', runId, '--yes', '--assume-applied', 'c']);
    expect(bad.exitCode).toBe(3);
    expect(bad.stderr).toContain('--assume-applied c: step "c" is not in flight');
    const resumed = await ws.run(['resume', runId, '--yes', '--assume-applied', 'b']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('recorded as applied (--assume-applied): b');
    expect(await ws.changes()).toEqual(['db.primary=sh-a', 'cache.master=sh-a', 'lb.active=sh-a']);
    const records = await ws.journal(runId);
    expect(records.find((r) => r['type'] === 'run.resumed')).toMatchObject({ inFlight: ['b'], decisions: { assumeApplied: ['b'], reapply: [] } });
    expect(records.find((r) => r['type'] === 'step.recovered')).toMatchObject({ stepId: 'b', reason: expect.stringContaining('--assume-applied') });
    // rollback still restores b (its rollback always runs: it cannot be observed)
    const rb = await ws.run(['rollback', runId, '--yes']);
    expect(rb.exitCode, rb.stderr).toBe(0);
    expect((await ws.changes()).slice(3)).toEqual(['lb.active=hz-a', 'cache.master=hz-a', 'db.primary=hz-a']);
    await ws.cleanup();

    // b died before making its change: --reapply makes it (once)
    ws = await durableWorkspace();
    await ws.hold('b.before');
    await ws.killAt(ws.start(['run', 'blind.yaml', '--yes']), 'b.before');
    await ws.release('b.before');
    const second = await ws.onlyRunId();
    expect((await ws.run(['resume', second, '--yes'])).exitCode).toBe(4);
    const again = await ws.run(['resume', second, '--yes', '--reapply', 'b']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('applying again (--reapply): b');
    expect(await ws.changes()).toEqual(['db.primary=sh-a', 'cache.master=sh-a', 'lb.active=sh-a']);
  });
});
