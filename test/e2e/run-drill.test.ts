import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exampleWorkspace } from '../helpers/cli.js';

type Ws = Awaited<ReturnType<typeof exampleWorkspace>>;
let ws: Ws;
afterEach(async () => ws?.cleanup());

const INITIAL = {
  'db.primary': 'hz-a',
  'cache.master': 'hz-a',
  'rules.hz-shards': 'hz-a',
  'mq.active': 'hz-a',
  'lb.active': 'hz-a',
  'dns.cashier': '127.0.0.2',
};
const SWITCHED = {
  'db.primary': 'sh-a',
  'cache.master': 'sh-a',
  'rules.hz-shards': 'sh-a',
  'mq.active': 'sh-a',
  'lb.active': 'sh-a',
  'dns.cashier': '127.0.0.3',
};

async function journalOf(state: string, runId: string) {
  const text = await readFile(path.join(state, 'runs', runId, 'journal.ndjson'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; stepId?: string; seq: number });
}
const runIdFrom = (stdout: string): string => /\(run ([^)]+)\)/.exec(stdout)?.[1] ?? '';

describe('plan / run / drill on the example city cut', () => {
  it('plan changes nothing and exits 2 while changes are pending, 0 once switched', async () => {
    ws = await exampleWorkspace();
    const plan = await ws.run(['plan', 'city-cut.yaml']);
    expect(plan.stderr).toBe('');
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain('+ db-election');
    expect(plan.stdout).toMatch(/Layers[\s\S]*1\. estate-api, db-election\n\s+2\. cache, rules/);
    expect(plan.stdout).toMatch(/\+ lb +http +PUT http:\/\/127\.0\.0\.1:\d+\/estate\/lb\.active/);
    expect(plan.stdout).toContain('Critical path: db-election → rules → middleware → lb → dns → settle');
    expect(await ws.changes()).toEqual([]);
    const run = await ws.run(['run', 'city-cut.yaml', '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await ws.estate()).toEqual(SWITCHED);
    const after = await ws.run(['plan', 'city-cut.yaml', '--json']);
    expect(after.exitCode).toBe(0);
    const doc = JSON.parse(after.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'plan', ok: true });
    expect(doc.result.counts).toEqual({ change: 0, noop: 8, unknown: 0, gate: 0 });
  });

  it('run applies every stage once; a second run skips every step as already done', async () => {
    ws = await exampleWorkspace();
    const first = await ws.run(['run', 'city-cut.yaml', '--yes']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/✓ db-election: run node estate\.mjs set db\.primary sh-a/);
    expect((await ws.changes()).length).toBe(6);
    const second = await ws.run(['run', 'city-cut.yaml', '--yes']);
    expect(second.exitCode).toBe(0);
    expect(second.stderr.match(/skipped: already done|skipped: condition already holds/g)).toHaveLength(8);
    expect((await ws.changes()).length).toBe(6);
    const journal = await journalOf(ws.state, runIdFrom(second.stdout));
    expect(journal.filter((r) => r.type === 'step.intent')).toHaveLength(0);
  });

  it('without a terminal and without --yes, run refuses (exit 4) and changes nothing', async () => {
    ws = await exampleWorkspace();
    const r = await ws.run(['run', 'city-cut.yaml']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('refusing to run example-city-cut without --yes: stdin is not a terminal');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await ws.changes()).toEqual([]);
    await expect(readdir(path.join(ws.state, 'runs'))).rejects.toThrow();
  });

  it('--dry-run on run and drill is a plan: exit 2, nothing changed', async () => {
    ws = await exampleWorkspace();
    for (const cmd of ['run', 'drill']) {
      const r = await ws.run([cmd, 'city-cut.yaml', '--dry-run']);
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toContain('7 to change');
    }
    expect(await ws.changes()).toEqual([]);
  });

  it('drill switches, verifies steady state, fails back in reverse order and ends as it started', async () => {
    ws = await exampleWorkspace();
    const r = await ws.run(['drill', 'city-cut.yaml', '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('switch: succeeded, fail-back: succeeded');
    expect(await ws.estate()).toEqual(INITIAL);
    const changes = await ws.changes();
    expect(changes.slice(0, 6).every((c) => c.endsWith('sh-a') || c.endsWith('127.0.0.3'))).toBe(true);
    const back = changes.slice(6);
    expect(back[0]).toBe('dns.cashier=127.0.0.2');
    expect(back[1]).toBe('lb.active=hz-a');
    expect(back[5]).toBe('db.primary=hz-a');
    expect([...back].sort()).toEqual([
      'cache.master=hz-a',
      'db.primary=hz-a',
      'dns.cashier=127.0.0.2',
      'lb.active=hz-a',
      'mq.active=hz-a',
      'rules.hz-shards=hz-a',
    ]);
    expect(back.indexOf('mq.active=hz-a')).toBeLessThan(back.indexOf('rules.hz-shards=hz-a'));
    const journal = await journalOf(ws.state, runIdFrom(r.stdout));
    const steady = journal.filter((e) => e.type === 'check.passed' && (e as { group?: string }).group === 'steadyState');
    expect(steady).toHaveLength(3);
    const md = await ws.run(['report', runIdFrom(r.stdout), '--format', 'md']);
    expect(md.stdout).toContain('# drill of example-city-cut: succeeded');
    expect(md.stdout).toMatch(/\| db-election \| exec \| applied \| \d/);
  });

  it('a failing step with onFailure: rollback leaves the world as it was before the run, the half-applied failed step included', async () => {
    ws = await exampleWorkspace();
    const r = await ws.run(['run', 'failing.yaml', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('step "lb" failed in apply: apply: sh -c');
    expect(r.stdout).toContain('rolled back every step that changed something: lb (failed after it began applying), cache, db');
    expect(await ws.estate()).toEqual(INITIAL);
    // the failed step's own change is undone first, then the applied ones, newest first
    expect(await ws.changes()).toEqual([
      'db.primary=sh-a',
      'cache.master=sh-a',
      'lb.active=sh-a',
      'lb.active=hz-a',
      'cache.master=hz-a',
      'db.primary=hz-a',
    ]);
    const journal = await journalOf(ws.state, runIdFrom(r.stdout));
    expect(journal.filter((e) => e.type === 'step.rolled-back').map((e) => e.stepId)).toEqual(['lb', 'cache', 'db']);
  });

  it('a drill fails back a failed step that half-applied too', async () => {
    ws = await exampleWorkspace();
    const r = await ws.run(['drill', 'failing.yaml', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('switch: failed, fail-back: succeeded');
    expect(await ws.estate()).toEqual(INITIAL);
    expect((await ws.changes()).slice(3)).toEqual(['lb.active=hz-a', 'cache.master=hz-a', 'db.primary=hz-a']);
  });

  it('a step over its budget is a finding, named with its time and budget; the drill still succeeds', async () => {
    ws = await exampleWorkspace();
    const r = await ws.run(['drill', 'budget.yaml', '--yes']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/step "slow-dns" took \d+(\.\d+)?m?s, over its budget of 100ms/);
    // the drill's fail-back put the step back: the summary says so (issue 18), its switch time still carries the finding
    expect(r.stdout).toMatch(/slow-dns +rolled-back +\S+ over budget/);
    expect(await ws.estate()).toMatchObject({ 'dns.cashier': '127.0.0.2' });
  });

  it("a switch over the runbook's budget (its objective) fails the drill, naming its time and the budget", async () => {
    ws = await exampleWorkspace();
    const text = await readFile(path.join(ws.dir, 'budget.yaml'), 'utf8');
    await writeFile(path.join(ws.dir, 'budget.yaml'), text.replace('spec:\n', 'spec:\n  budget: 100ms\n'));
    const r = await ws.run(['drill', 'budget.yaml', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/the switch took \d+(\.\d+)?m?s, over the runbook's budget of 100ms/);
    expect(await ws.estate()).toMatchObject({ 'dns.cashier': '127.0.0.2' });
  });
});

describe('steady-state tolerances from the CLI', () => {
  it('a numeric range on an exec probe holds the drill back when the value is out of range, and lets it run when in range', async () => {
    ws = await exampleWorkspace();
    const { writeFile } = await import('node:fs/promises');
    const runbook = (lag: number) =>
      [
        'apiVersion: drctl/v1',
        'kind: Runbook',
        'metadata: { name: lag-guard }',
        'spec:',
        '  steadyState:',
        `    - { name: replication-lag, exec: [echo, "${lag}"], expect: { range: [0, 5] } }`,
        '  steps:',
        '    - id: mark',
        '      kind: exec',
        '      with: { apply: [touch, marked], rollback: [rm, marked], observe: { cmd: [test, -e, marked] } }',
        '',
      ].join('\n');
    await writeFile(path.join(ws.dir, 'lag.yaml'), runbook(9));
    expect((await ws.run(['validate', 'lag.yaml'])).exitCode).toBe(0);
    const held = await ws.run(['drill', 'lag.yaml', '--yes']);
    expect(held.exitCode).toBe(1);
    expect(held.stdout + held.stderr).toContain('output is 9, want [0, 5]');
    expect(held.stdout + held.stderr).toContain('steady state does not hold before the drill (replication-lag): nothing was changed');
    await writeFile(path.join(ws.dir, 'lag.yaml'), runbook(3));
    const ran = await ws.run(['drill', 'lag.yaml', '--yes']);
    expect(ran.exitCode, ran.stderr).toBe(0);
  });
});

describe('a command that cannot start changed nothing', () => {
  it('onFailure: rollback undoes only what changed (no false ROLLBACK INCOMPLETE); a missing cwd is named; an undo reads as the rollback command', async () => {
    ws = await exampleWorkspace();
    const { writeFile, access } = await import('node:fs/promises');
    await writeFile(
      path.join(ws.dir, 'nocmd.yaml'),
      [
        'apiVersion: drctl/v1',
        'kind: Runbook',
        'metadata: { name: nocmd }',
        'spec:',
        '  onFailure: rollback',
        '  steps:',
        '    - id: a',
        '      kind: exec',
        '      with: { apply: [touch, a.txt], rollback: [rm, a.txt] }',
        '    - id: b',
        '      kind: exec',
        '      needs: [a]',
        '      with: { apply: [drctl-no-such-command-xyz] }',
        '',
      ].join('\n'),
    );
    const r = await ws.run(['run', 'nocmd.yaml', '--yes']);
    expect(r.exitCode).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toContain('command not found: drctl-no-such-command-xyz');
    expect(out).toContain('rolled back every step that changed something: a');
    expect(out).not.toContain('ROLLBACK INCOMPLETE');
    await expect(access(path.join(ws.dir, 'a.txt'))).rejects.toThrow();
    const runId = runIdFrom(r.stdout);
    const journal = (await journalOf(ws.state, runId)) as unknown as {
      type: string;
      stepId?: string;
      describe?: string;
      error?: { unchanged?: boolean };
    }[];
    expect(journal.find((e) => e.type === 'step.failed' && e.stepId === 'b')?.error?.unchanged).toBe(true);
    // a has no observe: its undo is described by its rollback command, not its apply
    expect(journal.find((e) => e.type === 'step.rolled-back' && e.stepId === 'a')?.describe).toBe('undo: run rm a.txt');
    // and drctl rollback of that run finds nothing left to undo (b never began)
    const again = await ws.run(['rollback', runId, '--yes']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('nothing to roll back');
    const json = await ws.run(['rollback', runId, '--yes', '--json']);
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type),
    ).toEqual(['version', 'summary']);

    await writeFile(
      path.join(ws.dir, 'nocwd.yaml'),
      [
        'apiVersion: drctl/v1',
        'kind: Runbook',
        'metadata: { name: nocwd }',
        'spec:',
        '  steps:',
        '    - id: a',
        '      kind: exec',
        '      with: { apply: ["true"], cwd: no-such-folder }',
        '',
      ].join('\n'),
    );
    const cwd = await ws.run(['run', 'nocwd.yaml', '--yes']);
    expect(cwd.exitCode).toBe(1);
    expect(cwd.stdout + cwd.stderr).toContain(`working folder not found: ${path.join(ws.dir, 'no-such-folder')}`);
  });
});
