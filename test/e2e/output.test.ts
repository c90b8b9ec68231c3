import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, drctl, exampleWorkspace, ROOT } from '../helpers/cli.js';

type Ws = Awaited<ReturnType<typeof exampleWorkspace>>;
let ws: Ws | undefined;
afterEach(async () => ws?.cleanup());

describe('machine output and bad input', () => {
  it('run --json is NDJSON: a version line, engine events, a summary line', async () => {
    ws = await exampleWorkspace();
    const r = await ws.run(['run', 'city-cut.yaml', '--yes', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'version', schemaVersion: 1 });
    expect(lines[1]).toMatchObject({ type: 'run.started', mode: 'run' });
    expect(lines.at(-1)).toMatchObject({ type: 'summary', status: 'succeeded', mode: 'run' });
    // one version for the whole stream: every line that carries one says the same
    expect(lines.filter((l) => 'schemaVersion' in l).map((l) => l.schemaVersion)).toEqual([1, 1]);
    expect(lines.filter((l) => l.type === 'step.applied')).toHaveLength(6);
    const timing = lines.find((l) => l.type === 'step.timing' && l.stepId === 'db-election');
    expect(Object.keys(timing.timing.phases).sort()).toEqual(['apply', 'observe', 'verify']);
  });

  it('history, status and report have the documented JSON shapes', async () => {
    ws = await exampleWorkspace();
    await ws.run(['drill', 'city-cut.yaml', '--yes']);
    const history = JSON.parse((await ws.run(['history', '--json'])).stdout);
    expect(history).toMatchObject({ schemaVersion: 1, command: 'history', ok: true });
    const [run] = history.result.runs;
    expect(run).toMatchObject({ runbook: 'example-city-cut', mode: 'drill', status: 'succeeded' });
    const status = JSON.parse((await ws.run(['status', '--json'])).stdout);
    expect(status.result).toMatchObject({ runs: [], locks: [] });
    // the report has the envelope every document has; --json and --format json are the same
    const doc = JSON.parse((await ws.run(['report', run.runId, '--format', 'json'])).stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'report', ok: true });
    expect(JSON.parse((await ws.run(['report', run.runId, '--json'])).stdout)).toEqual(doc);
    const report = doc.result;
    expect(report.schemaVersion).toBe(1);
    expect(report.steps).toHaveLength(8);
    expect(report.steps.find((x: { id: string }) => x.id === 'db-election')).toMatchObject({
      status: 'applied',
      rollback: { status: 'rolled-back' },
    });
    expect(report.steps.find((x: { id: string }) => x.id === 'lb')).toMatchObject({
      kind: 'http',
      status: 'applied',
      rollback: { status: 'rolled-back' },
    });
    expect(report.checks.map((c: { phase: string }) => c.phase)).toEqual([
      'before any change',
      'before the drill',
      'after the switch',
      'after fail-back',
    ]);
    const junit = (await ws.run(['report', run.runId, '--format', 'junit'])).stdout;
    // the outcome, 1 readiness check, 3 steady-state checks (one per phase), 8 steps, 6 undos, 2 budgets, the fail-back
    expect(junit.match(/<testcase /g)).toHaveLength(1 + 4 + 8 + 6 + 2 + 1);
    const plan = await ws.run(['plan', 'city-cut.yaml']);
    expect(plan.stdout).toMatch(/Predicted duration: \S+ \(median of 1 earlier run\(s\)\)/);
  });

  it('--color and --no-color are global options (--color was refused as unknown, exit 3)', async () => {
    for (const flag of ['--color', '--no-color']) {
      const ok = await drctl([flag, 'validate', 'runbooks/examples/city-cut.yaml']);
      expect(ok.exitCode, `${flag}: ${ok.stderr}`).toBe(0);
      const bad = await drctl([flag, 'validate', 'test/fixtures/runbooks/invalid/many-errors.yaml']);
      expect(bad.exitCode).toBe(3);
      expect(bad.stderr).toMatch(/many-errors\.yaml:\d+:\d+: /);
      expect(bad.stderr).not.toContain('unknown option');
    }
  });

  it('validate reports every problem with file:line:column, exit 3, and JSON with ok false', async () => {
    const file = 'test/fixtures/runbooks/invalid/many-errors.yaml';
    const r = await drctl(['validate', file]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/many-errors\.yaml:\d+:\d+: error: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const j = await drctl(['validate', file, '--json']);
    const doc = JSON.parse(j.stdout);
    expect(doc).toMatchObject({ command: 'validate', ok: false });
    expect(doc.diagnostics.length).toBeGreaterThan(2);
    const ok = await drctl(['validate', 'runbooks/examples/city-cut.yaml']);
    expect(ok.exitCode, ok.stderr).toBe(0);
  });

  it('validate, the real CLI, on every invalid fixture: exactly their errors, at their positions', async () => {
    const first: Record<string, string> = {
      'bad-duration.yaml': '8:16 bad-duration',
      'cycle.yaml': '8:15 needs-cycle',
      'duplicate-id.yaml': '9:11 duplicate-id',
      'ref-not-needed.yaml': '12:34 ref-not-needed',
      'syntax.yaml': '8:32 yaml-syntax',
      'unknown-field.yaml': '8:7 unknown-field',
      'unknown-kind.yaml': '7:13 unknown-kind',
      'unknown-need.yaml': '11:15 unknown-need',
      'unknown-output.yaml': '12:30 unknown-output',
      'unknown-param.yaml': '10:21 unknown-param',
      'wrong-type.yaml': '5:16 wrong-type',
    };
    const dir = 'test/fixtures/runbooks/invalid';
    const r = await drctl(['validate', '--json', ...Object.keys(first).map((f) => `${dir}/${f}`)]);
    expect(r.exitCode).toBe(3);
    const doc = JSON.parse(r.stdout);
    const byFile = new Map<string, string[]>();
    for (const d of doc.diagnostics as { file: string; line: number; column: number; code: string }[]) {
      const name = path.basename(d.file);
      byFile.set(name, [...(byFile.get(name) ?? []), `${d.line}:${d.column} ${d.code}`]);
    }
    for (const [file, want] of Object.entries(first)) {
      // one problem per fixture (the syntax fixture's broken flow collection is two)
      expect(byFile.get(file), file).toEqual(file === 'syntax.yaml' ? [want, '8:33 yaml-syntax'] : [want]);
    }
  });

  it('bad flags, missing files and unknown runs are one clear line and exit 3', async () => {
    const cases = [
      { args: ['run', 'nope.yaml', '--yes'], want: /runbook not found: nope\.yaml/ },
      { args: ['run', 'runbooks/examples/city-cut.yaml', '--concurrency', '0'], want: /--concurrency must be a positive integer, got "0"/ },
      { args: ['report', 'no-such-run'], want: /no run "no-such-run"/ },
      { args: ['run', 'runbooks/examples/city-cut.yaml', '--set', 'nosuch=1', '--yes'], want: /the runbook declares no param "nosuch"/ },
      { args: ['frobnicate'], want: /unknown command 'frobnicate'/ },
    ];
    for (const c of cases) {
      const r = await drctl(c.args);
      expect(r.exitCode, c.args.join(' ')).toBe(3);
      expect(r.stderr).toMatch(c.want);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a user path that cannot be used is one line naming the flag and the path, exit 3, never a stack', async () => {
    ws = await exampleWorkspace();
    const file = path.join(ws.dir, 'a-file');
    await writeFile(file, 'not a folder\n');
    const done = await ws.run(['run', 'city-cut.yaml', '--yes']);
    const runId = /\(run ([^)]+)\)/.exec(done.stdout)?.[1] ?? '';
    const cases = [
      { args: ['run', 'city-cut.yaml', '--yes', '--state', 'a-file'], want: 'error: --state a-file: is a file, not a folder' },
      { args: ['plan', 'city-cut.yaml', '--params-file', '.'], want: 'error: --params-file .: is a directory' },
      {
        args: ['plan', 'city-cut.yaml', '-o', '/nonexistent/dir/plan.json'],
        want: 'error: -o /nonexistent/dir/plan.json: cannot write it: no such directory /nonexistent/dir',
      },
      {
        args: ['report', runId, '--format', 'md', '-o', '/nonexistent/x.md', '--state', ws.state],
        want: 'error: -o /nonexistent/x.md: cannot write it: no such directory /nonexistent',
      },
      { args: ['run', '.', '--yes'], want: `error: runbook .: is a directory` },
      {
        args: ['plan', 'city-cut.yaml', '--plugin', 'nope.mjs'],
        want: `error: --plugin nope.mjs: file not found (looked for ${path.join(ws.dir, 'nope.mjs')})`,
      },
    ];
    for (const c of cases) {
      const r = await drctl(c.args, { cwd: ws.dir, env: ws.env });
      // one error line, at most followed by one hint line (what --state takes), never a stack
      const [first, ...rest] = r.stderr.trim().split('\n');
      expect(first, c.args.join(' ')).toBe(c.want);
      expect(
        rest.filter((l) => !l.startsWith('hint: ')),
        c.args.join(' '),
      ).toEqual([]);
      expect(r.exitCode, c.args.join(' ')).toBe(3);
    }
    expect(await readFile(file, 'utf8')).toBe('not a folder\n');
  });

  it('validate: a missing file, a directory, an unclosed quote and a bad --plugin are each one error where they are', async () => {
    ws = await exampleWorkspace();
    const quote = [
      'apiVersion: drctl/v1',
      'kind: Runbook',
      'metadata: { name: q }',
      'spec:',
      '  steps:',
      '    - id: a',
      '      kind: exec',
      '      with: { apply: [echo, "hello] }',
      '',
      '',
    ];
    await writeFile(path.join(ws.dir, 'quote.yaml'), quote.join('\n'));
    const r = await drctl(['validate', 'nope.yaml', '.', 'quote.yaml'], { cwd: ws.dir });
    expect(r.exitCode).toBe(3);
    expect(r.stderr.split('\n').filter((l) => / error: /.test(l))).toEqual([
      'nope.yaml: error: no such file or directory',
      '.: error: is a directory',
      'quote.yaml:8:29: error: YAML syntax: this quoted text is never closed (no closing " before the end of the file)',
    ]);
    const plugin = await drctl(['validate', 'city-cut.yaml', '--plugin', 'nope.mjs'], { cwd: ws.dir });
    expect(plugin.exitCode).toBe(3);
    expect(plugin.stderr).toContain(`--plugin: error: plugin "nope.mjs": file not found (looked for ${path.join(ws.dir, 'nope.mjs')})`);
    expect(plugin.stderr).not.toMatch(/city-cut\.yaml:\d+:\d+/);
  });

  it('--params-file: an unknown name is reported at its file:line:column', async () => {
    ws = await exampleWorkspace();
    await writeFile(path.join(ws.dir, 'params.yaml'), 'to: sh-a\nzz: 1\n');
    const r = await ws.run(['plan', 'city-cut.yaml', '--params-file', 'params.yaml']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('params.yaml:2:1: error: unknown param "zz"');
    expect(r.stderr).toContain('hint: declared params: from, to, vip, oldVip');
    expect(await ws.changes()).toEqual([]);
  });

  it('a damaged run record is reported, never hidden: history warns naming the file, report fails naming it', async () => {
    ws = await exampleWorkspace();
    const runIds: string[] = [];
    for (let i = 0; i < 2; i++) runIds.push(/\(run ([^)]+)\)/.exec((await ws.run(['run', 'city-cut.yaml', '--yes'])).stdout)?.[1] ?? '');
    const [damaged, intact] = runIds as [string, string];
    const file = path.join(ws.state, 'runs', damaged, 'run.json');
    await writeFile(file, '{"runId": "half-writ');
    const history = await ws.run(['history']);
    expect(history.exitCode).toBe(0);
    expect(history.stdout).toContain(intact);
    expect(history.stdout).not.toContain(damaged);
    expect(history.stderr).toContain(`warning: the record of run ${damaged} is unreadable: ${file}: not valid JSON`);
    const json = JSON.parse((await ws.run(['history', '--json'])).stdout);
    expect(json.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'run-record-unreadable', file })]);
    const report = await ws.run(['report', damaged]);
    expect(report.exitCode).toBe(1);
    expect(report.stderr).toContain(`error: the record of run ${damaged} is unreadable: ${file}: not valid JSON`);
    expect(report.stderr).not.toMatch(/no run "|\n\s+at /);
  });

  it('--json errors of NDJSON commands are one line, whatever comes before the command and for usage errors too', async () => {
    ws = await exampleWorkspace();
    for (const args of [
      ['--state', ws.state, 'run', 'nope.yaml', '--yes', '--json'],
      ['run', '--bogus', '--json'],
    ]) {
      const r = await drctl(args, { cwd: ws.dir });
      expect(r.exitCode).toBe(3);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({ type: 'error', command: 'run', ok: false });
    }
  });

  it('a lab --dir that is a file is bad input naming the flag (exit 3), for up and status alike', async () => {
    ws = await exampleWorkspace();
    const file = path.join(ws.dir, 'city-cut.yaml');
    for (const cmd of ['up', 'status']) {
      const r = await drctl(['lab', cmd, '--dir', file, '--base-port', '23700'].slice(0, cmd === 'up' ? 6 : 4));
      expect(r.exitCode, r.stderr).toBe(3);
      expect(r.stderr).toContain(`error: --dir ${file}: a part of the path is a file, not a directory`);
    }
  });

  it('the committed JSON Schema is what `drctl schema` prints', async () => {
    const r = await drctl(['schema']);
    expect(r.exitCode).toBe(0);
    const committed = await readFile(path.join(ROOT, 'runbooks/schema/runbook.schema.json'), 'utf8');
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(committed));
  });
});

describe('plug-in kinds', () => {
  it('a runbook loads kinds from its plugins list and runs them through the same step life', async () => {
    ws = await exampleWorkspace();
    expect((await ws.run(['validate', 'plugin.yaml'])).exitCode).toBe(0);
    const plan = await ws.run(['plan', 'plugin.yaml']);
    expect(plan.stdout).toContain('+ lb  estate.set');
    expect(plan.stdout).toContain('lb.active: hz-a → sh-a');
    const r = await ws.run(['drill', 'plugin.yaml', '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await ws.changes()).toEqual(['lb.active=sh-a', 'lb.active=hz-a']);
  });
});

/**
 * Spawn drctl and close our end of one of its output pipes, as `| head` does: at once, or after the
 * first chunk. Returns the exit code and the text of the other stream.
 */
function withClosedPipe(
  args: readonly string[],
  o: { cwd: string; env?: Record<string, string>; close: 'stdout' | 'stderr'; after: 'start' | 'first-chunk' },
) {
  const child = spawn('node', [BIN, ...args], {
    cwd: o.cwd,
    env: { ...process.env, NO_COLOR: '1', CI: 'true', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const closing = child[o.close];
  const keeping = o.close === 'stdout' ? child.stderr : child.stdout;
  let kept = '';
  keeping.on('data', (d: Buffer) => (kept += d.toString()));
  closing.on('error', () => undefined);
  if (o.after === 'start') closing.destroy();
  else closing.once('data', () => closing.destroy());
  return new Promise<{ code: number | null; kept: string }>((resolve) => child.on('close', (code) => resolve({ code, kept })));
}

describe('a reader that goes away (| head) never stops a run', () => {
  const SWITCHED = {
    'db.primary': 'sh-a',
    'cache.master': 'sh-a',
    'rules.hz-shards': 'sh-a',
    'mq.active': 'sh-a',
    'lb.active': 'sh-a',
    'dns.cashier': '127.0.0.3',
  };
  const finishedRecord = async (state: string) => {
    const [runId] = await readdir(path.join(state, 'runs'));
    const dir = path.join(state, 'runs', runId ?? '');
    const meta = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
    const journal = (await readFile(path.join(dir, 'journal.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const locks = (await readdir(path.join(state, 'locks'))).filter((f) => f.endsWith('.lock'));
    return { meta, last: journal.at(-1), locks };
  };

  it('run --json | head -1: the run finishes, is journaled, releases its lock, switches everything; no stack', async () => {
    ws = await exampleWorkspace();
    const r = await withClosedPipe(['run', 'city-cut.yaml', '--yes', '--json', '--state', ws.state], {
      cwd: ws.dir,
      env: ws.env,
      close: 'stdout',
      after: 'first-chunk',
    });
    expect(r.kept).not.toMatch(/EPIPE|internal error|\n\s+at /);
    expect(r.code).toBe(0);
    const { meta, last, locks } = await finishedRecord(ws.state);
    expect(meta.status).toBe('succeeded');
    expect(last.type).toBe('run.finished');
    expect(locks).toEqual([]);
    expect(await ws.estate()).toEqual(SWITCHED);
  });

  it('run 2>&1 | head -1 (the progress stream closed): same, and the summary still reaches stdout', async () => {
    ws = await exampleWorkspace();
    const r = await withClosedPipe(['run', 'city-cut.yaml', '--yes', '--state', ws.state], {
      cwd: ws.dir,
      env: ws.env,
      close: 'stderr',
      after: 'first-chunk',
    });
    expect(r.code).toBe(0);
    expect(r.kept).toContain('run example-city-cut succeeded');
    expect((await finishedRecord(ws.state)).meta.status).toBe('succeeded');
    expect(await ws.estate()).toEqual(SWITCHED);
  });

  it('schema, history and --help into a closed pipe: exit 0, nothing on stderr', async () => {
    ws = await exampleWorkspace();
    for (const args of [['schema'], ['history', '--state', ws.state], ['--help']]) {
      const r = await withClosedPipe(args, { cwd: ws.dir, close: 'stdout', after: 'start' });
      expect(r.kept, args.join(' ')).toBe('');
      expect(r.code, args.join(' ')).toBe(0);
    }
  });
});

describe('on a terminal', () => {
  it('Ctrl+C at the confirmation prompt cancels cleanly: exit 130, no stack trace, nothing changed', async () => {
    ws = await exampleWorkspace();
    const { execa } = await import('execa');
    // script(1) gives drctl a pseudo-terminal; its stdin feeds the terminal (\x03 is Ctrl+C, read by readline)
    const cmd = `node ${BIN} run city-cut.yaml --state ${ws.state}`;
    const child = execa('script', ['-qfec', cmd, '/dev/null'], {
      cwd: ws.dir,
      reject: false,
      env: { ...ws.env, CI: '', TERM: 'xterm' },
      stdin: 'pipe',
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const { waitFor } = await import('../helpers/wait-for.js');
    await waitFor(() => out.includes('[y/N]'), 'the confirmation prompt', 30_000);
    child.stdin?.write('\x03');
    const r = await child;
    expect(r.exitCode, out).toBe(130);
    expect(out).toContain('cancelled at the prompt (Ctrl+C): nothing was changed');
    expect(out).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(await ws.changes()).toEqual([]);
  });
});
