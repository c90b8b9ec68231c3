import { afterEach, describe, expect, it } from 'vitest';
import { CHAIN_CHANGES, CHAIN_SWITCHED, durableWorkspace, type DurableWorkspace } from './durable-kit.js';

let ws: DurableWorkspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

const UNDONE = ['lb.active=hz-a', 'cache.master=hz-a', 'db.primary=hz-a'];

/** Every process wrote its records in order, each with its own growing fencing token. */
async function expectConsistentJournal(w: DurableWorkspace, runId: string): Promise<Record<string, unknown>[]> {
  const records = await w.journal(runId);
  expect(records.map((r) => r['seq'])).toEqual(records.map((_, i) => i + 1));
  const fences = records.map((r) => Number(r['fence']));
  expect(fences).toEqual([...fences].sort((x, y) => x - y));
  return records;
}

describe('SIGKILL at more crash points: every change is made exactly once (changes.log counts them)', () => {
  it("after the last step's outcome, before run.finished and before run.json: resume applies nothing again", async () => {
    ws = await durableWorkspace();
    for (const point of ['run.before-finish', 'run.before-record']) {
      await ws.clearMarkers();
      await ws.hold(point);
      const runIdBefore = point === 'run.before-finish' ? undefined : await ws.onlyRunId();
      await ws.killAtFailpoint(ws.start(runIdBefore ? ['resume', runIdBefore, '--yes'] : ['run', 'chain.yaml', '--yes']), point);
      await ws.release(point);
    }
    const runId = await ws.onlyRunId();
    const records = await ws.journal(runId);
    expect(records.filter((r) => r['type'] === 'run.finished')).toHaveLength(1); // the second process died after writing it, before run.json
    expect(JSON.parse((await ws.run(['history', '--json'])).stdout).result.runs).toMatchObject([{ runId, status: 'running' }]);
    const r = await ws.run(['resume', runId, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('3 step(s) done (a, b, c)');
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
    expect(JSON.parse((await ws.run(['history', '--json'])).stdout).result.runs).toMatchObject([{ runId, status: 'succeeded' }]);
    await expectConsistentJournal(ws, runId);
  });

  it('a drill killed after its fail-back, before its record: resume finishes the record instead of leaving it running forever', async () => {
    ws = await durableWorkspace();
    await ws.hold('run.before-finish');
    await ws.killAtFailpoint(ws.start(['drill', 'chain.yaml', '--yes']), 'run.before-finish');
    await ws.release('run.before-finish');
    const runId = await ws.onlyRunId();
    expect(await ws.changes()).toEqual([...CHAIN_CHANGES, ...UNDONE]);
    const r = await ws.run(['resume', runId, '--yes']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain(
      `drill ${runId} had switched and failed back when its controller stopped: the estate is as it was before; nothing to resume`,
    );
    expect(JSON.parse((await ws.run(['history', '--json'])).stdout).result.runs).toMatchObject([{ runId, status: 'interrupted' }]);
    expect(JSON.parse((await ws.run(['status', '--json'])).stdout).result).toMatchObject({ runs: [], resumable: [] });
    expect(await ws.changes()).toEqual([...CHAIN_CHANGES, ...UNDONE]);
  });

  it('a drill killed during its fail-back: resume undoes only what is left (an undo that ran is not run again)', async () => {
    ws = await durableWorkspace();
    const { readFile, writeFile } = await import('node:fs/promises');
    const path = await import('node:path');
    // no observe: an undo cannot be seen, so running one twice would show twice in undo.log
    await writeFile(
      path.join(ws.dir, 'blind-drill.yaml'),
      [
        'apiVersion: drctl/v1',
        'kind: Runbook',
        'metadata: { name: blind-drill }',
        'spec:',
        '  steps:',
        '    - id: x',
        '      kind: exec',
        '      with: { apply: [touch, x], rollback: [sh, -c, "sh point.sh x.undo && echo undo-x >> undo.log"] }',
        '    - id: y',
        '      kind: exec',
        '      needs: [x]',
        '      with: { apply: [touch, y], rollback: [sh, -c, "echo undo-y >> undo.log"] }',
        '',
      ].join('\n'),
    );
    await ws.hold('x.undo');
    await ws.killAt(ws.start(['drill', 'blind-drill.yaml', '--yes']), 'x.undo');
    await ws.release('x.undo');
    const r = await ws.run(['resume', await ws.onlyRunId(), '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await readFile(path.join(ws.dir, 'undo.log'), 'utf8')).trim().split('\n')).toEqual(['undo-y', 'undo-x']);
  });

  it('during verify (the change made, its verify polling): the step is recovered by observing, not applied again', async () => {
    ws = await durableWorkspace();
    await ws.hold('a.after');
    const child = ws.start(['run', 'chain.yaml', '--yes']);
    await ws.reached('a.after');
    await ws.hold('a.observe'); // the next observe of a is verify's
    await ws.clearMarkers();
    await ws.release('a.after');
    await ws.killAt(child, 'a.observe');
    await ws.release('a.observe');
    const runId = await ws.onlyRunId();
    const r = await ws.run(['resume', runId, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
    const records = await expectConsistentJournal(ws, runId);
    expect(records.filter((x) => x['type'] === 'step.recovered').map((x) => x['stepId'])).toEqual(['a']);
  });

  it("during a drill's fail-back, at every rollback point: resume finishes the fail-back, each undo made once", async () => {
    ws = await durableWorkspace();
    let runId: string | undefined;
    for (const point of ['c.undone', 'b.undo', 'a.undone']) {
      await ws.clearMarkers();
      await ws.hold(point);
      await ws.killAt(ws.start(runId ? ['resume', runId, '--yes'] : ['drill', 'chain.yaml', '--yes']), point);
      await ws.release(point);
      runId ??= await ws.onlyRunId();
    }
    if (!runId) throw new Error('no run');
    const r = await ws.run(['resume', runId, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('switch: succeeded, fail-back: succeeded');
    expect(await ws.changes()).toEqual([...CHAIN_CHANGES, ...UNDONE]);
    await expectConsistentJournal(ws, runId);
  });

  it('during `drctl rollback`, at every rollback point: rollback again finishes it, each undo made once', async () => {
    ws = await durableWorkspace();
    expect((await ws.run(['run', 'chain.yaml', '--yes'])).exitCode).toBe(0);
    const runId = await ws.onlyRunId();
    for (const point of ['c.undo', 'b.undone', 'a.undo']) {
      await ws.clearMarkers();
      await ws.hold(point);
      await ws.killAt(ws.start(['rollback', runId, '--yes']), point);
      await ws.release(point);
    }
    const r = await ws.run(['rollback', runId, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await ws.changes()).toEqual([...CHAIN_CHANGES, ...UNDONE]);
    const records = await expectConsistentJournal(ws, runId);
    // each rollback action was preceded by its durable, fenced intent; the killed ones too
    expect(records.filter((x) => x['type'] === 'step.rollback-intent').map((x) => x['stepId'])).toEqual(['c', 'c', 'b', 'a', 'a']);
    // each rollback after a killed one took over the dead holder's lock, and says so
    expect(
      records.filter((x) => x['type'] === 'lock.acquired').map((x) => (x['tookOver'] as { why?: string } | undefined)?.why ?? null),
    ).toEqual([null, null, 'its process is gone', 'its process is gone', 'its process is gone']);
    const again = await ws.run(['rollback', runId, '--yes']);
    expect(again.stderr).toContain('nothing to roll back');
    expect(await ws.changes()).toHaveLength(6);
  });

  it('with steps running in parallel (concurrency 3, group commit): killed mid-fan-out and again, nothing is applied twice', async () => {
    ws = await durableWorkspace();
    for (const p of ['b1.after', 'b2.before', 'b3.after']) await ws.hold(p);
    await ws.killAtAll(ws.start(['run', 'fan.yaml', '--yes']), ['b1.after', 'b2.before', 'b3.after']);
    for (const p of ['b1.after', 'b2.before', 'b3.after']) await ws.release(p);
    const runId = await ws.onlyRunId();
    const intents = (await ws.journal(runId)).filter((x) => x['type'] === 'step.intent').map((x) => x['stepId']);
    expect([...intents].sort()).toEqual(['a', 'b1', 'b2', 'b3']);
    await ws.clearMarkers();
    await ws.hold('c.after');
    await ws.killAt(ws.start(['resume', runId, '--yes']), 'c.after');
    await ws.release('c.after');
    const r = await ws.run(['resume', runId, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    const changes = await ws.changes();
    expect([...changes].sort()).toEqual([
      'cache.master=sh-a',
      'db.primary=sh-a',
      'lb.active=sh-a',
      'mq.active=sh-a',
      'rules.hz-shards=sh-a',
    ]);
    expect(await ws.estate()).toMatchObject({ ...CHAIN_SWITCHED, 'mq.active': 'sh-a', 'rules.hz-shards': 'sh-a' });
    const records = await expectConsistentJournal(ws, runId);
    expect(
      records
        .filter((x) => x['type'] === 'step.recovered')
        .map((x) => x['stepId'])
        .sort(),
    ).toEqual(['b1', 'b3', 'c']);
  });
});
