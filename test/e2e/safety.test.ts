import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exampleWorkspace, spawnDrctl } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait-for.js';

type Ws = Awaited<ReturnType<typeof exampleWorkspace>>;
let ws: Ws;
afterEach(async () => ws?.cleanup());

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function onlyRun(state: string) {
  const [runId] = await readdir(path.join(state, 'runs'));
  const dir = path.join(state, 'runs', runId ?? '');
  return {
    runId: runId ?? '',
    meta: JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')),
    journalText: await readFile(path.join(dir, 'journal.ndjson'), 'utf8'),
    logText: await readFile(path.join(dir, 'log.ndjson'), 'utf8'),
  };
}

describe('safety of runs', () => {
  it('a timed-out step kills its whole process tree, grandchildren included', async () => {
    ws = await exampleWorkspace();
    const r = await ws.run(['run', 'timeout.yaml', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('step "hang" failed in apply: apply timed out after 500ms');
    // nothing answered: the message says where the step's time went
    const spent = /apply timed out after 500ms: no answer within the step's timeout \(time spent: observe \d+ms, apply (\d+)ms\)/.exec(
      r.stdout,
    );
    // the apply's own time is the timeout it ran into (a timer may fire a millisecond early; a busy machine, late)
    expect(Number(spent?.[1]), r.stdout).toBeGreaterThanOrEqual(450);
    const pids = (await readFile(path.join(ws.dir, 'pids.txt'), 'utf8')).trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    await waitFor(() => pids.every((p) => !alive(p)), 'the step processes to be gone', 5000);
  });

  it('a timed-out step also kills a descendant that started its own session (setsid)', async () => {
    ws = await exampleWorkspace();
    const r = await ws.run(['run', 'setsid.yaml', '--yes']);
    const pids = (await readFile(path.join(ws.dir, 'pids.txt'), 'utf8')).trim().split('\n').map(Number);
    try {
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toContain('step "escape" failed in apply: apply timed out after 500ms');
      expect(pids).toHaveLength(2);
      await waitFor(() => pids.every((p) => !alive(p)), 'the step processes, the setsid one included, to be gone', 5000);
    } finally {
      for (const p of pids.filter(alive)) process.kill(p, 'SIGKILL');
    }
  });

  it('a 1ms timeout fails its steps cleanly: no stack, a finished record, the lock released', async () => {
    ws = await exampleWorkspace();
    const steps = ['exec', 'wait'].map(
      (kind) =>
        `    - { id: ${kind}-step, kind: ${kind}, timeout: 1ms, with: ${kind === 'exec' ? '{ apply: [node, estate.mjs, get, db.primary] }' : '{ duration: 1s }'} }`,
    );
    await writeFile(
      path.join(ws.dir, 'tiny.yaml'),
      ['apiVersion: drctl/v1', 'kind: Runbook', 'metadata: { name: tiny-timeout }', 'spec:', '  steps:', ...steps, ''].join('\n'),
    );
    const r = await ws.run(['run', 'tiny.yaml', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stdout).toMatch(/failed in apply: apply timed out after 1ms/);
    const { meta, journalText } = await onlyRun(ws.state);
    expect(meta.status).toBe('failed');
    expect(JSON.parse(journalText.trim().split('\n').at(-1) ?? '{}').type).toBe('run.finished');
    expect((await readdir(path.join(ws.state, 'locks'))).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });

  it('SIGINT mid-run starts no new step, lets the running one finish, and leaves a consistent record', async () => {
    ws = await exampleWorkspace();
    const child = spawnDrctl(['run', 'slow.yaml', '--yes', '--state', ws.state], { cwd: ws.dir, env: ws.env });
    await waitFor(
      () =>
        readFile(path.join(ws.dir, 'slow.started')).then(
          () => true,
          () => false,
        ),
      'the slow step to start',
      20_000,
    );
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    const { meta, journalText } = await onlyRun(ws.state);
    expect(meta.status).toBe('interrupted');
    const records = journalText
      .trim()
      .split('\n')
      .map((l: string) => JSON.parse(l));
    expect(records.map((x: { seq: number }) => x.seq)).toEqual(records.map((_: unknown, i: number) => i + 1));
    expect(records.some((x: { type: string }) => x.type === 'run.interrupted')).toBe(true);
    const final = (id: string) =>
      records
        .filter(
          (x: { stepId?: string; type: string }) =>
            x.stepId === id && ['step.applied', 'step.skipped', 'step.failed', 'step.cancelled'].includes(x.type),
        )
        .map((x: { type: string }) => x.type);
    expect(final('first')).toEqual(['step.applied']);
    expect(final('slow')).toEqual(['step.applied']);
    expect(final('last')).toEqual(['step.cancelled']);
    expect(records.at(-1).type).toBe('run.finished');
    expect(await ws.estate()).toMatchObject({ 'db.primary': 'sh-a', 'cache.master': 'sh-a', 'lb.active': 'hz-a' });
  });

  it('secrets never appear in stdout, stderr, the journal, the log, the record or the reports', async () => {
    ws = await exampleWorkspace();
    const token = 's3cr3t-T0KEN-value';
    const r = await ws.run(['run', 'secret.yaml', '--yes'], { API_TOKEN: token });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('exited with code 3: token=***');
    const { runId, meta, journalText, logText } = await onlyRun(ws.state);
    const reports = await Promise.all(['json', 'md', 'junit'].map((f) => ws.run(['report', runId, '--format', f])));
    for (const text of [r.stdout, r.stderr, journalText, logText, JSON.stringify(meta), ...reports.map((x) => x.stdout)]) {
      expect(text).not.toContain(token);
    }
    expect(journalText).toContain('***');
  });

  it('a secret full of special characters is masked in its JSON, URL, form and base64 forms everywhere', async () => {
    ws = await exampleWorkspace();
    const token = 'pa"ss w/rd\\9Xq&=+%';
    const r = await ws.run(['run', 'secret-forms.yaml', '--yes'], { TOK: token });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('exited with code 3');
    const { runId, meta, journalText, logText } = await onlyRun(ws.state);
    const reports = await Promise.all(['json', 'md', 'junit', 'html'].map((f) => ws.run(['report', runId, '--format', f])));
    const json = JSON.stringify(token).slice(1, -1);
    const forms = [
      token,
      json,
      JSON.stringify(json).slice(1, -1),
      encodeURIComponent(token),
      new URLSearchParams({ t: token }).toString().slice(2),
      Buffer.from(token).toString('base64'),
      Buffer.from(`ops:${token}`).toString('base64'),
    ];
    const texts = {
      stdout: r.stdout,
      stderr: r.stderr,
      journal: journalText,
      log: logText,
      record: JSON.stringify(meta),
      ...Object.fromEntries(reports.map((x, i) => [`report ${i}`, x.stdout])),
    };
    for (const [where, text] of Object.entries(texts))
      for (const form of forms) expect(text.includes(form), `${where} holds ${form}`).toBe(false);
    expect(journalText).toContain('***');
    expect(
      journalText
        .trim()
        .split('\n')
        .every((l) => JSON.parse(l) !== null),
    ).toBe(true);
  });

  it('a run whose secret is not set is refused before any change, naming the variable and its users', async () => {
    ws = await exampleWorkspace();
    const r = await ws.run(['run', 'secret.yaml', '--yes']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('environment variable(s) not set: API_TOKEN (used by step "call-api", step "header"); nothing was changed');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    await expect(readdir(path.join(ws.state, 'runs'))).rejects.toThrow();
  });

  it('a gate fails closed without a terminal, and passes with --approve', async () => {
    ws = await exampleWorkspace();
    const denied = await ws.run(['run', 'gate.yaml', '--yes']);
    expect(denied.exitCode).toBe(1);
    expect(denied.stdout).toContain('gate "approve-dns" not approved');
    expect(await ws.changes()).toEqual([]);
    for (const [step, want] of [
      ['approve-dsn', '--approve approve-dsn: the runbook has no step "approve-dsn" (did you mean "approve-dns"?)'],
      ['dns', '--approve dns: step "dns" is of kind exec, not a gate (only gates ask for approval)'],
    ]) {
      const wrong = await ws.run(['run', 'gate.yaml', '--yes', '--approve', step as string]);
      expect(wrong.exitCode).toBe(3);
      expect(wrong.stderr).toContain(`error: ${want}`);
    }
    // resume checks --approve the same way, before touching the run
    const deniedRun = /\(run (\S+)\)/.exec(denied.stdout)?.[1] ?? '';
    const wrongResume = await ws.run(['resume', deniedRun, '--yes', '--approve', 'approve-dsn']);
    expect(wrongResume.exitCode, wrongResume.stderr).toBe(3);
    expect(wrongResume.stderr).toContain(
      'error: --approve approve-dsn: the runbook has no step "approve-dsn" (did you mean "approve-dns"?)',
    );
    expect(await ws.changes()).toEqual([]);
    const approved = await ws.run(['run', 'gate.yaml', '--yes', '--approve', 'approve-dns']);
    expect(approved.exitCode, approved.stderr).toBe(0);
    expect(await ws.changes()).toEqual(['dns.cashier=127.0.0.3']);
  });

  it('a second run while one holds the lock is refused with exit 6 (lock held) naming the holder', async () => {
    ws = await exampleWorkspace();
    const child = spawnDrctl(['run', 'slow.yaml', '--yes', '--state', ws.state], { cwd: ws.dir, env: ws.env });
    await waitFor(
      () =>
        readFile(path.join(ws.dir, 'slow.started')).then(
          () => true,
          () => false,
        ),
      'the slow step to start',
      20_000,
    );
    const second = await ws.run(['run', 'slow.yaml', '--yes']);
    expect(second.exitCode).toBe(6);
    expect(second.stderr).toMatch(/another run holds the lock "slow-switch": run \S+ \(run\) by \S+@\S+ pid \d+/);
    const status = JSON.parse((await ws.run(['status', '--json'])).stdout);
    expect(status.result.runs).toHaveLength(1);
    expect(status.result.locks[0].holder.pid).toBe(child.pid);
    expect((await child).exitCode).toBe(0);
  });
});
