import { execa } from 'execa';
import { BIN } from '../helpers/cli.js';
import { existsSync } from 'node:fs';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHAIN_CHANGES, durableWorkspace, type DurableWorkspace } from './durable-kit.js';

let ws: DurableWorkspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

/** A run of chain.yaml cut off (SIGKILL) after step a, its change for b not made. */
async function cutOffRun(w: DurableWorkspace): Promise<string> {
  await w.hold('b.before');
  await w.killAt(w.start(['run', 'chain.yaml', '--yes']), 'b.before');
  await w.release('b.before');
  return w.onlyRunId();
}

describe('saved plans, changed runbooks and damaged journals', () => {
  it('run --plan refuses a plan whose live state or runbook changed since, naming what changed; a fresh plan runs', async () => {
    ws = await durableWorkspace();
    const plan = path.join(ws.dir, 'plan.json');
    expect((await ws.run(['plan', 'chain.yaml', '-o', plan])).exitCode).toBe(2);
    // --dry-run with --plan is a plan that also checks the saved one: it changes nothing, run or drill
    for (const mode of ['run', 'drill']) {
      const dry = await ws.run([mode, 'chain.yaml', '--plan', plan, '--dry-run']);
      expect(dry.exitCode, dry.stderr).toBe(2);
      expect(dry.stdout).toContain('3 to change');
    }
    expect(await ws.changes()).toEqual([]);
    // the world moves: someone switched the cache by hand
    await execa('node', ['estate.mjs', 'set', 'cache.master', 'sh-a'], { cwd: ws.dir, env: ws.env });
    const stale = await ws.run(['run', 'chain.yaml', '--plan', plan]);
    expect(stale.exitCode).toBe(4);
    expect(stale.stderr).toMatch(
      /error: the live state changed since the plan was made \(\S+\): observed state differs for step\(s\) b \(was change: .*; now noop: already done .*\); nothing was changed\n/,
    );
    expect(JSON.parse((await ws.run(['history', '--json'])).stdout).result.runs).toEqual([]);
    expect(await ws.changes()).toEqual(['cache.master=sh-a']);
    const staleDry = await ws.run(['run', 'chain.yaml', '--plan', plan, '--dry-run']);
    expect(staleDry.exitCode).toBe(4);
    expect(staleDry.stderr).toContain('the live state changed since the plan was made');

    await ws.run(['plan', 'chain.yaml', '-o', plan]);
    const text = await readFile(path.join(ws.dir, 'chain.yaml'), 'utf8');
    await writeFile(path.join(ws.dir, 'chain.yaml'), `${text}\n# edited after the plan\n`);
    const edited = await ws.run(['run', 'chain.yaml', '--plan', plan]);
    expect(edited.exitCode).toBe(4);
    expect(edited.stderr).toContain('runbook changed since the plan was made');

    await ws.run(['plan', 'chain.yaml', '-o', plan]);
    const fresh = await ws.run(['run', 'chain.yaml', '--plan', plan]);
    expect(fresh.exitCode, fresh.stderr).toBe(0);
    expect(await ws.changes()).toEqual(['cache.master=sh-a', 'db.primary=sh-a', 'lb.active=sh-a']);
  });

  it('resume refuses a changed runbook naming what changed, and proceeds with --force', async () => {
    ws = await durableWorkspace();
    const runId = await cutOffRun(ws);
    const file = path.join(ws.dir, 'chain.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('set lb.active sh-a', 'set lb.active sh-b').replace('concurrency: 1', 'concurrency: 2'));
    const refused = await ws.run(['resume', runId, '--yes']);
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain(
      `the runbook changed since run ${runId} started: step "c" changed (with); spec.concurrency changed; nothing was changed`,
    );
    expect(await ws.changes()).toEqual(['db.primary=sh-a']);
    await writeFile(file, text.replace('set lb.active sh-a', 'set lb.active sh-a ')); // whitespace inside a string still counts
    const forced = await ws.run(['resume', runId, '--yes', '--force']);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('resuming anyway (--force)');
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
  });

  it('a torn last journal line is reported and dropped, and resume proceeds; damage elsewhere refuses unless --force', async () => {
    ws = await durableWorkspace();
    const runId = await cutOffRun(ws);
    const journal = ws.journalFile(runId);
    await appendFile(journal, '{"type":"step.applied","stepId":"b","aft'); // the crash hit mid-append
    const torn = await ws.run(['resume', runId, '--yes']);
    expect(torn.exitCode, torn.stderr).toBe(0);
    expect(torn.stderr).toMatch(
      /warning: journal of \S+: unreadable line\(s\) \d+ is a torn last write .*keeping the \d+ intact record\(s\)/,
    );
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
    // the torn bytes were moved aside before appending: the journal reads clean again
    expect(await readFile(`${journal}.torn`, 'utf8')).toContain('"stepId":"b","aft');
    const report = await ws.run(['report', runId, '--format', 'json']);
    expect(report.stderr).not.toContain('warning');
    expect(JSON.parse(report.stdout).result.steps.map((s: { status: string }) => s.status)).toEqual(['applied', 'applied', 'applied']);
    await ws.cleanup();

    ws = await durableWorkspace();
    const second = await cutOffRun(ws);
    const file = ws.journalFile(second);
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[3] = '{"type":"step.started", garbage';
    await writeFile(file, lines.join('\n'));
    const refused = await ws.run(['resume', second, '--yes']);
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain('unreadable line(s) 4 (not only a torn last write): refusing');
    expect(await ws.changes()).toEqual(['db.primary=sh-a']);
    const forced = await ws.run(['resume', second, '--yes', '--force']);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
  });

  it('a missing journal, one without run.started, or one from a newer drctl: resume and rollback refuse (exit 4), changing nothing', async () => {
    ws = await durableWorkspace();
    const runId = await cutOffRun(ws);
    const journal = ws.journalFile(runId);
    const text = await readFile(journal, 'utf8');
    await rm(journal);
    for (const cmd of ['resume', 'rollback']) {
      const r = await ws.run([cmd, runId, '--yes', '--force']);
      expect(r.exitCode, r.stderr).toBe(4);
      expect(r.stderr).toContain(`error: run ${runId} has no journal in `);
      expect(r.stderr).toContain('refusing, since what the run applied cannot be known; nothing was changed');
    }
    await writeFile(journal, '');
    const empty = await ws.run(['rollback', runId, '--yes']);
    expect(empty.exitCode).toBe(4);
    expect(empty.stderr).toContain(`journal of ${runId} has no run.started record (0 record(s))`);
    const lines = text.trim().split('\n');
    const newer = { ...JSON.parse(lines.at(-1) ?? '{}'), schemaVersion: 99 };
    await writeFile(journal, `${[...lines.slice(0, -1), JSON.stringify(newer)].join('\n')}\n`);
    const future = await ws.run(['resume', runId, '--yes']);
    expect(future.exitCode).toBe(4);
    expect(future.stderr).toMatch(/record \d+ has schemaVersion 99, newer than this drctl reads \(2\)/);
    expect(await ws.changes()).toEqual(['db.primary=sh-a']);
  });

  it('a complete last record without its newline is kept (not moved to .torn), and resume goes on after it', async () => {
    ws = await durableWorkspace();
    const runId = await cutOffRun(ws);
    const journal = ws.journalFile(runId);
    const text = await readFile(journal, 'utf8');
    await writeFile(journal, text.slice(0, -1)); // the process died between the record and its newline
    const last = JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as { seq: number; type: string };
    const r = await ws.run(['resume', runId, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('torn');
    expect(existsSync(`${journal}.torn`)).toBe(false);
    const records = await ws.journal(runId);
    expect(records.find((x) => x['seq'] === last.seq)).toMatchObject({ type: last.type });
    expect(records.map((x) => x['seq'])).toEqual(records.map((_, i) => i + 1));
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
  });

  it('unlock --force after a torn write repairs the tail first: its record is kept and resume then proceeds', async () => {
    ws = await durableWorkspace();
    const runId = await cutOffRun(ws);
    const journal = ws.journalFile(runId);
    await appendFile(journal, '{"type":"step.applied","stepId":"b","aft'); // the crash hit mid-append
    const unlock = await ws.run(['unlock', 'durable-chain', '--force']);
    expect(unlock.exitCode, unlock.stderr).toBe(0);
    expect(unlock.stderr).toContain(`warning: the journal of run ${runId} ended in a torn write`);
    expect(await readFile(`${journal}.torn`, 'utf8')).toContain('"stepId":"b","aft');
    const resumed = await ws.run(['resume', runId, '--yes']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toContain('unreadable');
    const records = await ws.journal(runId);
    expect(records.filter((x) => x['type'] === 'lock.force-released')).toHaveLength(1);
    expect(records.map((x) => x['seq'])).toEqual(records.map((_, i) => i + 1));
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
  });

  it('a saved plan covers params: run --plan with another --set is refused naming the param; the lock scope interpolates params', async () => {
    ws = await durableWorkspace();
    const plan = path.join(ws.dir, 'plan.json');
    expect((await ws.run(['plan', 'param.yaml', '-o', plan])).exitCode).toBe(2);
    const other = await ws.run(['run', 'param.yaml', '--plan', plan, '--set', 'to=sh-b']);
    expect(other.exitCode).toBe(4);
    expect(other.stderr).toContain(
      'error: params differ: to (plan: "sh-a"; now: "sh-b"); what the plan approved differs for step(s) cache (its resolved params differ); nothing was changed',
    );
    expect(other.stderr).toContain('; nothing was changed');
    expect(await ws.changes()).toEqual([]);

    await ws.hold('cache.after');
    const run = ws.start(['run', 'param.yaml', '--yes', '--set', 'to=sh-b']);
    await ws.killAt(run, 'cache.after');
    await ws.release('cache.after');
    const runId = await ws.onlyRunId();
    const status = JSON.parse((await ws.run(['status', '--json'])).stdout).result;
    expect(status.locks).toMatchObject([{ scope: 'cache-to-sh-b', holder: { runId } }]);
    // its controller is dead: the step it was applying shows as cut off mid-step
    expect(status.runs).toMatchObject([{ runId, steps: [{ id: 'cache', status: 'cut-off' }] }]);
    // the runbook's lock scope is edited meanwhile: resume --force still locks the scope the run was locked under
    const file = path.join(ws.dir, 'param.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace("lockScope: 'cache-to-${params.to}'", "lockScope: 'renamed'"));
    const resumed = await ws.run(['resume', runId, '--yes', '--force']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const locks = (await ws.journal(runId)).filter((x) => x['type'] === 'lock.acquired').map((x) => x['scope']);
    expect(locks).toEqual(['cache-to-sh-b', 'cache-to-sh-b']);
    expect(await ws.changes()).toEqual(['cache.master=sh-b']);
  });

  it("a new journal is fsync'd with its folder before its first record is written (strace)", async () => {
    ws = await durableWorkspace();
    const trace = path.join(ws.dir, 'strace.txt');
    const r = await execa(
      'strace',
      [
        '-f',
        '-qq',
        '-e',
        'trace=openat,close,fsync,write,writev,pwrite64,pwritev',
        '-o',
        trace,
        'node',
        BIN,
        'run',
        'chain.yaml',
        '--yes',
        '--state',
        ws.state,
      ],
      {
        cwd: ws.dir,
        env: { ...ws.env, NO_COLOR: '1', CI: 'true' },
        reject: false,
        stdin: 'ignore',
      },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const runDir = path.join(ws.state, 'runs', await ws.onlyRunId());
    // replay the trace: which fd is open on what, and what happens first to the new journal and to its folder
    const open = new Map<string, string>();
    let created = false;
    let folderSynced = false;
    let firstWriteAfterSync: boolean | undefined;
    for (const line of joinResumed((await readFile(trace, 'utf8')).split('\n'))) {
      const o = /openat\(AT_FDCWD, "([^"]+)", ([A-Z_|]+)(?:, \d+)?\)\s+= (\d+)/.exec(line);
      if (o?.[1] && o[3]) {
        open.set(o[3], o[1]);
        if (o[1] === path.join(runDir, 'journal.ndjson') && o[2]?.includes('O_CREAT')) created = true;
        continue;
      }
      const c = /close\((\d+)\)/.exec(line);
      if (c?.[1]) {
        open.delete(c[1]);
        continue;
      }
      const f = /fsync\((\d+)\)\s+= 0/.exec(line);
      if (f?.[1] && created && open.get(f[1]) === runDir) folderSynced = true;
      const w = /(?:write|writev|pwrite64|pwritev)\((\d+),/.exec(line);
      if (w?.[1] && firstWriteAfterSync === undefined && open.get(w[1]) === path.join(runDir, 'journal.ndjson'))
        firstWriteAfterSync = folderSynced;
    }
    expect(created).toBe(true);
    expect(firstWriteAfterSync).toBe(true);
  });
});

/** strace -f splits a call interrupted by another thread: "TID call(args <unfinished ...>" + "TID <... call resumed>rest". */
function joinResumed(lines: readonly string[]): string[] {
  const pending = new Map<string, string>();
  const out: string[] = [];
  for (const line of lines) {
    const tid = line.split(' ', 1)[0] ?? '';
    if (line.endsWith('<unfinished ...>')) {
      pending.set(tid, line.slice(0, -'<unfinished ...>'.length).trimEnd());
      continue;
    }
    const resumed = /^\S+\s+<\.\.\. \w+ resumed>(.*)$/.exec(line);
    if (resumed) {
      out.push(`${pending.get(tid) ?? ''}${resumed[1] ?? ''}`);
      pending.delete(tid);
      continue;
    }
    out.push(line);
  }
  return out;
}
