import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { drctl, exampleWorkspace } from '../helpers/cli.js';

type Ws = Awaited<ReturnType<typeof exampleWorkspace>>;
let ws: Ws | undefined;
afterEach(async () => ws?.cleanup());

describe('--state / DRCTL_STATE values a command must refuse before it acts', () => {
  it('a mistyped store URL (etcd:/…, redis:…) is exit 3, never a local folder of that name under a local lock', async () => {
    ws = await exampleWorkspace();
    for (const bad of ['etcd:/127.0.0.1:27172', 'redis:/127.0.0.1:6379']) {
      const r = await drctl(['--state', bad, 'run', 'city-cut.yaml', '--yes'], { cwd: ws.dir, env: ws.env });
      expect(r.exitCode, r.stderr).toBe(3);
      expect(r.stderr).toContain(`error: --state ${bad}: not a folder or a well-formed store URL`);
      expect(r.stderr).toContain('etcd://HOST:PORT');
      const env = await drctl(['status'], { cwd: ws.dir, env: { ...ws.env, DRCTL_STATE: bad } });
      expect(env.exitCode).toBe(3);
      expect(env.stderr).toContain(`error: DRCTL_STATE=${bad}: not a folder`);
    }
    expect(existsSync(path.join(ws.dir, 'etcd:'))).toBe(false);
    expect(existsSync(path.join(ws.dir, 'redis:'))).toBe(false);
    expect(await ws.changes()).toEqual([]);
  });

  it('a --state that is a file is exit 3 naming it, for every command that opens the store (no "no run in progress", no raw ENOTDIR)', async () => {
    ws = await exampleWorkspace();
    const file = path.join(ws.dir, 'not-a-folder');
    await writeFile(file, 'x\n');
    for (const args of [
      ['status'],
      ['history'],
      ['plan', 'city-cut.yaml'],
      ['report', 'x'],
      ['unlock', 'city-cut'],
      ['run', 'city-cut.yaml', '--yes'],
    ]) {
      const r = await drctl(['--state', file, ...args], { cwd: ws.dir, env: ws.env });
      expect(r.exitCode, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(3);
      expect(r.stderr).toContain(`error: --state ${file}: is a file, not a folder`);
      expect(r.stderr).not.toMatch(/ENOTDIR|no run in progress/);
    }
    const env = await drctl(['history'], { cwd: ws.dir, env: { ...ws.env, DRCTL_STATE: file } });
    expect(env.exitCode).toBe(3);
    expect(env.stderr).toContain(`error: DRCTL_STATE=${file}: is a file, not a folder`);
    // a store folder whose runs/ is a file: told, not read as "no runs"
    await mkdir(path.join(ws.dir, 'broken'));
    await writeFile(path.join(ws.dir, 'broken', 'runs'), 'x\n');
    for (const args of [['history'], ['status']]) {
      const r = await drctl(['--state', 'broken', ...args], { cwd: ws.dir, env: ws.env });
      expect(r.exitCode, r.stdout).toBe(3);
      expect(r.stderr).toContain('error: --state broken: a part of the path is a file, not a directory (at broken/runs)');
    }
    expect(await ws.changes()).toEqual([]);
  });
});

describe('a command group without its subcommand', () => {
  it('rules, lab, lever (and drctl alone) print their help on stderr and exit 3; --help and `help rules` stay exit 0 on stdout', async () => {
    for (const group of ['rules', 'lab', 'lever']) {
      const r = await drctl([group]);
      expect(r.exitCode, group).toBe(3);
      expect(r.stdout, group).toBe('');
      expect(r.stderr, group).toContain(`Usage: drctl ${group} [options] [command]`);
      expect(r.stderr, group).toContain(`error: drctl ${group} needs a subcommand`);
      const json = await drctl([group, '--json']);
      expect(json.exitCode).toBe(3);
      expect(JSON.parse(json.stdout)).toMatchObject({
        command: group,
        ok: false,
        error: { code: 'usage', message: `drctl ${group} needs a subcommand` },
      });
    }
    const bare = await drctl([]);
    expect(bare.exitCode).toBe(3);
    expect(bare.stderr).toContain('error: drctl needs a command');
    for (const asked of [
      ['rules', '--help'],
      ['help', 'rules'],
    ]) {
      const r = await drctl(asked);
      expect(r.exitCode, asked.join(' ')).toBe(0);
      expect(r.stdout).toContain('Usage: drctl rules [options] [command]');
    }
  });
});

describe('--set and DRCTL_PARAM_<NAME> errors', () => {
  it('name the flag (or the variable) once: `--set nope: expected key=value`', async () => {
    const set = await drctl(['plan', 'runbooks/examples/city-cut.yaml', '--set', 'nope']);
    expect(set.exitCode).toBe(3);
    expect(set.stderr).toContain('error: --set nope: expected key=value (e.g. --set cut=[hz-a,hz-b])');
    expect(set.stderr.match(/--set/g)).toHaveLength(2); // the prefix and the example, not a second prefix
    const env = await drctl(['plan', 'runbooks/examples/city-cut.yaml'], { env: { DRCTL_PARAM_to: '[x' } });
    expect(env.exitCode).toBe(3);
    expect(env.stderr).toMatch(/^error: DRCTL_PARAM_to=\[x: cannot read value "\[x": .*; quote it to pass text$/m);
  });
});

describe('schema --list names what `drctl schema NAME` prints', () => {
  it('every listed name prints its schema; rehearse-preview is labelled rehearse --dry-run --json; the columns line up; `rehearse` stays an alias', async () => {
    const list = await drctl(['schema', '--list']);
    expect(list.exitCode).toBe(0);
    const rows = list.stdout.trimEnd().split('\n');
    const row = rows.find((r) => r.startsWith('rehearse-preview '));
    expect(row).toMatch(/^rehearse-preview +runbooks\/schema\/rehearse-preview\.v1\.schema\.json +rehearse --dry-run --json$/);
    expect(rows.find((r) => r.startsWith('schema '))).toMatch(/ schema --list --json$/);
    expect(rows.find((r) => r.startsWith('respond '))).toMatch(/ respond --dry-run --json$/);
    // the file column starts at the same place on every row
    expect(new Set(rows.map((r) => r.indexOf('runbooks/schema/'))).size).toBe(1);
    const doc = JSON.parse((await drctl(['schema', '--list', '--json'])).stdout) as { result: { schemas: { name: string }[] } };
    for (const { name } of doc.result.schemas) expect((await drctl(['schema', name])).exitCode, name).toBe(0);
    const preview = await drctl(['schema', 'rehearse-preview']);
    expect(JSON.parse(preview.stdout)).toMatchObject({ $id: 'https://drctl.dev/schema/rehearse-preview.v1.json' });
    expect((await drctl(['schema', 'rehearse'])).stdout).toBe(preview.stdout);
  });
});
