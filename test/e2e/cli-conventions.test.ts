import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, drctl, exampleWorkspace, ROOT } from '../helpers/cli.js';

const sh = promisify(execFile);
type Ws = Awaited<ReturnType<typeof exampleWorkspace>>;
let ws: Ws | undefined;
afterEach(async () => ws?.cleanup());

describe('flags and documents in the shapes users know', () => {
  it("-o names a file everywhere: a format word (kubectl's -o json) is refused, exit 3, naming what to write instead", async () => {
    for (const args of [
      ['plan', 'runbooks/examples/city-cut.yaml', '-o', 'json'],
      ['report', 'x', '-o', 'yaml'],
      ['history', '-o', 'json'],
      ['status', '-o', 'JSON'],
      ['validate', 'runbooks/examples/city-cut.yaml', '-o', 'junit'],
    ]) {
      const r = await drctl(args);
      expect(r.exitCode, args.join(' ')).toBe(3);
      expect(r.stderr).toMatch(
        /is a format, not a file: -o\/--out names the file to write \(formats: --json for JSON on stdout; report --format json\|md\|junit\|html\); to write a file named "\w+", say -o \.\/\w+/,
      );
    }
    expect(existsSync(path.join(ROOT, 'json'))).toBe(false);
  });

  it('-o FILE writes the document a command prints (text, or JSON under --json); report --json is the enveloped report', async () => {
    ws = await exampleWorkspace();
    const run = await ws.run(['run', 'city-cut.yaml', '--yes']);
    expect([0, 1]).toContain(run.exitCode);
    const runId = /\(run ([^)]+)\)/.exec(run.stdout)?.[1] ?? '';
    const file = path.join(ws.dir, 'json'); // a file really named json: -o ./json
    const h = await ws.run(['history', '--json', '-o', './json']);
    expect(h.exitCode, h.stderr).toBe(0);
    expect(h.stdout).toBe('');
    expect(h.stderr.trim()).toBe('wrote ./json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ command: 'history', ok: true, result: { runs: [{ runId }] } });
    const rep = JSON.parse((await ws.run(['report', runId, '--json'])).stdout) as {
      schemaVersion: number;
      command: string;
      ok: boolean;
      result: { run: { runId: string } };
    };
    expect(rep).toMatchObject({ schemaVersion: 1, command: 'report', ok: true, result: { run: { runId } } });
    expect(JSON.parse((await ws.run(['report', runId, '--format', 'json'])).stdout)).toEqual(rep);
    const both = await ws.run(['report', runId, '--json', '--format', 'html']);
    expect(both.exitCode).toBe(3);
    expect(JSON.parse(both.stdout)).toMatchObject({
      command: 'report',
      ok: false,
      error: { code: 'usage', message: '--json and --format html ask for two formats' },
    });
  });

  it('--version --json is a document; --version is the bare version', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect((await drctl(['--version'])).stdout.trim()).toBe(pkg.version);
    const doc = JSON.parse((await drctl(['--version', '--json'])).stdout) as {
      command: string;
      result: { drctl: string; schemaVersions: Record<string, number> };
    };
    expect(doc).toMatchObject({
      command: 'version',
      result: { drctl: pkg.version, schemaVersions: { documents: 1, events: 1, journal: 2, report: 1, plan: 1 } },
    });
  });

  it("a command's help shows the global options, examples and its exit codes; the program's, the environment", async () => {
    for (const cmd of ['plan', 'report', 'drill', 'rehearse', 'status']) {
      const help = (await drctl([cmd, '--help'])).stdout;
      expect(help, cmd).toMatch(/Global Options:[\s\S]*--json[\s\S]*--state <dir\|url>/);
      expect(help, cmd).toMatch(/Examples:\n {2}\$ drctl /);
      expect(help, cmd).toMatch(/Exit codes: 0 /);
    }
    expect((await drctl(['--help'])).stdout).toMatch(/Environment:[\s\S]*DRCTL_YES=1[\s\S]*DRCTL_PARAM_<NAME>=VALUE/);
  });

  it('DRCTL_YES=1 confirms for automation; 0 does not; anything else is refused before anything runs', async () => {
    ws = await exampleWorkspace();
    const no = await ws.run(['run', 'city-cut.yaml'], { DRCTL_YES: '0' });
    expect(no.exitCode).toBe(4);
    const typo = await ws.run(['run', 'city-cut.yaml'], { DRCTL_YES: 'sure' });
    expect(typo.exitCode).toBe(3);
    expect(typo.stderr).toContain('DRCTL_YES=sure: use 1 (confirm without asking) or 0');
    expect(await ws.changes()).toEqual([]);
    const yes = await ws.run(['run', 'city-cut.yaml'], { DRCTL_YES: '1' });
    expect([0, 1], yes.stderr).toContain(yes.exitCode); // 1 only if a loaded machine took it over its budget
    expect(await ws.changes()).toContain('db.primary=sh-a');
  });

  it('DRCTL_PARAM_<NAME> sets a param (below --set); plan --diff shows each change field by field', async () => {
    ws = await exampleWorkspace();
    const plan = JSON.parse(
      (await ws.run(['plan', 'city-cut.yaml', '--json'], { DRCTL_PARAM_to: 'sz-a', DRCTL_PARAM_nosuch: 'x' })).stdout,
    ) as { result: { params: Record<string, unknown> } };
    expect(plan.result.params).toMatchObject({ to: 'sz-a', from: 'hz-a' });
    const set = JSON.parse((await ws.run(['plan', 'city-cut.yaml', '--json', '--set', 'to=sh-b'], { DRCTL_PARAM_to: 'sz-a' })).stdout) as {
      result: { params: Record<string, unknown> };
    };
    expect(set.result.params['to']).toBe('sh-b');
    const diff = await ws.run(['plan', 'city-cut.yaml', '--diff']);
    expect(diff.exitCode).toBe(2);
    expect(diff.stdout).toMatch(/\+ db-election +exec +run node estate\.mjs set db\.primary sh-a\n +~ done: false → true\n/);
    expect(diff.stdout).toMatch(/~ detail: "output \\"hz-a\\", want \\"sh-a\\"" → "holds"/);
  });

  it('validate reads topology files too; kinds and explain list the kinds and their parameters', async () => {
    ws = await exampleWorkspace();
    const good = await drctl(['validate', 'runbooks/lab/topology.yaml']);
    expect(good.exitCode, good.stderr).toBe(0);
    expect(good.stdout.trim()).toBe('runbooks/lab/topology.yaml: valid topology (5 zones)');
    const bad = path.join(ws.dir, 'topology.yaml');
    await writeFile(
      bad,
      'apiVersion: drctl/v1\nkind: Topology\nspec:\n  cities:\n    hz:\n      dcs:\n        hz-a:\n          zones:\n            RZ01: { capacity: lots }\n',
    );
    const r = await drctl(['validate', bad]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`${bad}:9:31: error: capacity must be a whole number of shards, got "lots"`);
    expect(r.stderr).not.toContain('kind must be');
    const kinds = (await drctl(['kinds'])).stdout;
    expect(kinds).toMatch(/^db\.primary +PostgreSQL primary election/m);
    const explain = await drctl(['explain', 'exec']);
    expect(explain.stdout).toMatch(/^ {2}apply +\(string \| number \| boolean\)\[\] \(required\)$/m);
    expect(explain.stdout).toMatch(/^ {4}doneWhen +map\n +When the command counts as done/m);
    const typo = await drctl(['explain', 'exce']);
    expect(typo.exitCode).toBe(3);
    expect(typo.stderr).toContain('unknown kind "exce" (did you mean "exec"?)');
  });
});

describe('shell completion', () => {
  it('bash: sourcing it registers drctl; completing "drctl re" offers rehearse, report, resume, respond; --format offers the formats', async () => {
    const script = `source <(node ${BIN} completion bash)
complete -p drctl
COMP_WORDS=(drctl re); COMP_CWORD=1; _drctl; echo "words: \${COMPREPLY[*]}"
COMP_WORDS=(drctl report RUN --format ""); COMP_CWORD=4; _drctl; echo "formats: \${COMPREPLY[*]}"
COMP_WORDS=(drctl --state x rules fl); COMP_CWORD=4; _drctl; echo "rules: \${COMPREPLY[*]}"
COMP_WORDS=(drctl drill --dr); COMP_CWORD=2; _drctl; echo "options: \${COMPREPLY[*]}"`;
    const { stdout } = await sh('bash', ['-c', script], { cwd: ROOT });
    expect(stdout).toContain('complete -o bashdefault -o default -F _drctl drctl');
    expect(stdout).toMatch(/^words: rehearse report resume respond$/m);
    expect(stdout).toMatch(/^formats: json md junit html$/m);
    expect(stdout).toMatch(/^rules: flip$/m);
    expect(stdout).toMatch(/^options: --dry-run$/m);
  });

  it('zsh: after compinit it registers _drctl; completing "drctl re" offers the commands with their descriptions', async () => {
    if (!existsSync('/usr/bin/zsh')) throw new Error('zsh is missing: bash bin/setup-test-env.sh installs it');
    // _describe and compadd are zsh's completion builtins: stand-ins print what _drctl hands them
    const script = `autoload -Uz compinit && compinit -u -D
source <(node ${BIN} completion zsh)
print -r -- "registered: $_comps[drctl]"
_describe() { print -rl -- "\${(@P)\${@[-1]}}" }
compadd() { shift; print -rl -- "\${(@P)1}" }
words=(drctl re); CURRENT=2; _drctl
words=(drctl report RUN --format ''); CURRENT=5; _drctl`;
    const { stdout } = await sh('zsh', ['-fc', script], { cwd: ROOT });
    expect(stdout).toContain('registered: _drctl');
    expect(stdout).toMatch(/^report:a run's report\\: why it failed/m);
    expect(stdout).toMatch(/^resume:continue an interrupted run/m);
    expect(stdout).toMatch(/^rehearse:network-cut rehearsal for cron/m);
    expect(stdout).toMatch(/^json\nmd\njunit\nhtml$/m);
  });
});
