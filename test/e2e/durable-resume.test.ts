import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { liveInGroup } from '../helpers/process-group.js';
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

  it('a drill cut off mid-switch fails back; if that fail-back completed nothing is resumable, and a resumed fail-back does not count as a drill that switched', async () => {
    ws = await durableWorkspace();
    // 1. SIGTERM while b applies: b finishes, c never starts, a and b are failed back in the same process
    await ws.hold('b.before');
    const child = ws.start(['drill', 'chain.yaml', '--yes']);
    await ws.reached('b.before');
    child.kill('SIGTERM');
    await ws.release('b.before');
    const first = await child;
    expect(first.exitCode, `${String(first.signal)} ${first.stderr}`).toBe(130);
    expect(first.stderr).toContain('has failed back: the estate is as it was before');
    expect(first.stderr).not.toContain('drctl resume');
    expect(await ws.estate()).toMatchObject({ 'db.primary': 'hz-a', 'cache.master': 'hz-a' });
    const runId = await ws.onlyRunId();
    expect(JSON.parse((await ws.run(['status', '--json'])).stdout).result.resumable).toEqual([]);
    const again = await ws.run(['resume', runId, '--yes']);
    expect(again.exitCode).toBe(4);
    expect(again.stderr).toContain(`drill ${runId} was cut off during its switch and has already failed back`);

    // 2. a drill cut off mid-switch whose fail-back is itself killed: resume finishes the fail-back, and the
    //    drill is reported failed (its switch never finished), not succeeded
    await ws.clearMarkers();
    await ws.hold('b.before');
    await ws.hold('a.undo');
    const second = ws.start(['drill', 'chain.yaml', '--yes']);
    await ws.reached('b.before');
    second.kill('SIGTERM');
    await ws.release('b.before');
    await ws.killAt(second, 'a.undo');
    await ws.release('a.undo');
    const secondId = (await ws.runIds()).find((id) => id !== runId);
    if (!secondId) throw new Error('no second run');
    const resumed = await ws.run(['resume', secondId, '--yes']);
    expect(resumed.exitCode, resumed.stderr).toBe(1);
    expect(resumed.stdout).toContain('switch: failed, fail-back: succeeded');
    expect(resumed.stderr + resumed.stdout).toContain('the drill was cut off before its switch finished (not done: c)');
    expect(await ws.estate()).toMatchObject({ 'db.primary': 'hz-a', 'cache.master': 'hz-a' });
  });

  it('drctl rollback interrupted once: the running undo finishes, no other starts; a second rollback undoes the rest', async () => {
    ws = await durableWorkspace();
    expect((await ws.run(['run', 'chain.yaml', '--yes'])).exitCode).toBe(0);
    const runId = await ws.onlyRunId();
    await ws.hold('b.undo');
    const child = ws.start(['rollback', runId, '--yes']);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await ws.reached('b.undo');
    child.kill('SIGINT');
    await waitFor(() => stderr.includes('SIGINT: no new step will start'), 'the signal to be handled');
    await ws.release('b.undo');
    const r = await child;
    expect(r.exitCode, stderr).toBe(130);
    // c and b were undone (b's command was let finish), a was not started
    expect(await ws.estate()).toMatchObject({ 'lb.active': 'hz-a', 'cache.master': 'hz-a', 'db.primary': 'sh-a' });
    expect(r.stdout + stderr).toContain(`rollback interrupted: what is not rolled back yet is left for \`drctl rollback ${runId}\``);
    const rest = await ws.run(['rollback', runId, '--yes']);
    expect(rest.exitCode, rest.stderr).toBe(0);
    expect(rest.stderr).toContain(`rolling back run ${runId}: a`);
    expect(await ws.estate()).toMatchObject({ 'lb.active': 'hz-a', 'cache.master': 'hz-a', 'db.primary': 'hz-a' });
  });

  it("a controller killed alone leaves its step's command running: rollback stops it first, so it cannot change the estate afterwards", async () => {
    ws = await durableWorkspace();
    await ws.hold('b.before');
    const child = ws.start(['run', 'chain.yaml', '--yes']);
    const group = await ws.reached('b.before');
    // only the controller dies (not the step's process group): b's command waits at b.before, in its own session
    child.kill('SIGKILL');
    await child;
    const runId = await ws.onlyRunId();
    const rb = await ws.run(['rollback', runId, '--yes']);
    expect(rb.exitCode, rb.stderr).toBe(0);
    expect(rb.stderr).toMatch(
      /stopped \d+ command\(s\) the run's earlier controller left running, before acting: pid \d+ of step b \(sh -c sh point\.sh b\.before/,
    );
    // nothing of b's command is left (its process group was b's point.sh wait): releasing it can change nothing
    expect(liveInGroup(group)).toEqual([]);
    await ws.release('b.before');
    expect(await ws.changes()).toEqual(['db.primary=sh-a', 'db.primary=hz-a']);
    expect(await ws.estate()).toMatchObject({ 'db.primary': 'hz-a' });
  });

  it('a daemon a step started in a session of its own (a database server) is not a leftover: resume leaves it running', async () => {
    ws = await durableWorkspace();
    const { writeFile, readFile: read } = await import('node:fs/promises');
    await writeFile(
      path.join(ws.dir, 'daemon.yaml'),
      [
        'apiVersion: drctl/v1',
        'kind: Runbook',
        'metadata: { name: daemon }',
        'spec:',
        '  steps:',
        '    - id: d',
        '      kind: exec',
        '      with: { apply: [sh, -c, "setsid sleep 300 >/dev/null 2>&1 </dev/null & echo $! > daemon.pid"], rollback: ["true"] }',
        '    - id: e',
        '      kind: exec',
        '      needs: [d]',
        // only the first apply of e stops at e.before (it takes the file "first"); the resumed one goes straight on
        '      with: { apply: [sh, -c, "if [ -f first ]; then rm first; sh point.sh e.before; fi; touch e.done"], rollback: [rm, -f, e.done], observe: { cmd: [test, -e, e.done] } }',
        '',
      ].join('\n'),
    );
    await writeFile(path.join(ws.dir, 'first'), '');
    await ws.hold('e.before');
    const child = ws.start(['run', 'daemon.yaml', '--yes']);
    await ws.reached('e.before');
    child.kill('SIGKILL');
    await child;
    const daemon = Number((await read(path.join(ws.dir, 'daemon.pid'), 'utf8')).trim());
    try {
      const resumed = await ws.run(['resume', await ws.onlyRunId(), '--yes']);
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      // e's command (cut off mid-apply) was stopped and e applied again; d's daemon was left alone
      expect(resumed.stderr).toMatch(/stopped 1 command\(s\) .* pid \d+ of step e \(sh -c if \[ -f first \]/);
      expect(() => process.kill(daemon, 0)).not.toThrow();
    } finally {
      try {
        process.kill(daemon, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('SIGTERM then SIGINT: the second signal cancels the running step at once; the journal stays consistent and the run resumes', async () => {
    ws = await durableWorkspace();
    await ws.hold('b.before');
    const child = ws.start(['run', 'chain.yaml', '--yes']);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await ws.reached('b.before');
    // status while b runs: a done, b running (not "waiting"), c waiting
    const live = JSON.parse((await ws.run(['status', '--json'])).stdout);
    expect(live.result.runs).toMatchObject([
      {
        orphaned: false,
        steps: [
          { id: 'a', status: 'applied' },
          { id: 'b', status: 'running' },
          { id: 'c', status: 'waiting' },
        ],
      },
    ]);
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
    expect(status.result).toMatchObject({
      runs: [],
      locks: [],
      resumable: [
        {
          runId,
          mode: 'run',
          steps: [
            { id: 'a', status: 'applied' },
            { id: 'b', status: 'cancelled' },
            { id: 'c', status: 'cancelled' },
          ],
        },
      ],
    });
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
    expect(refused.stderr).toContain(
      `error: run ${runId}: step(s) b journaled an intent but no outcome, and cannot be observed (no observe)`,
    );
    expect(refused.stderr).toContain(
      'hint: check it by hand, then resume with --assume-applied b (the change is in place: record it applied; rollback still restores its before-state) or --reapply b (apply it again)',
    );
    expect(await ws.changes()).toEqual(['db.primary=sh-a', 'cache.master=sh-a']);
    const bad = await ws.run(['resume', runId, '--yes', '--assume-applied', 'c']);
    expect(bad.exitCode).toBe(3);
    expect(bad.stderr).toContain('--assume-applied c: step "c" is not in flight');
    const resumed = await ws.run(['resume', runId, '--yes', '--assume-applied', 'b']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('recorded as applied (--assume-applied): b');
    expect(await ws.changes()).toEqual(['db.primary=sh-a', 'cache.master=sh-a', 'lb.active=sh-a']);
    const records = await ws.journal(runId);
    expect(records.find((r) => r['type'] === 'run.resumed')).toMatchObject({
      inFlight: ['b'],
      decisions: { assumeApplied: ['b'], reapply: [] },
    });
    expect(records.find((r) => r['type'] === 'step.recovered')).toMatchObject({
      stepId: 'b',
      reason: expect.stringContaining('--assume-applied'),
    });
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
