import { Command } from 'commander';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { CliIO } from '../../../../src/cli/io.js';
import { registerRulesCommand } from '../../../../src/cli/commands/rules.js';
import { openFileStore } from '../../../../src/rules/store-file.js';
import { isDrctlError, type ExitCode } from '../../../../src/util/errors.js';
import { makeTmpDir } from '../../../helpers/tmp-dir.js';
import { waitFor } from '../../../helpers/wait-for.js';
import { LAB_TOPOLOGY_FILE } from '../../rules/lab-topology.js';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Run `drctl rules …` in-process with a captured, non-interactive CliIO. */
async function rules(args: readonly string[], o: { json?: boolean; interactive?: boolean; answer?: boolean; err?: string[] } = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = o.err ?? [];
  const io: CliIO = {
    out: (t) => void out.push(t), err: (t) => void err.push(t), json: o.json ?? false, interactive: o.interactive ?? false,
    color: { out: false, err: false }, confirm: async () => o.answer ?? false,
  };
  let code: ExitCode | undefined;
  const program = new Command('drctl').exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  registerRulesCommand(program, io, (c) => (code = c));
  try {
    await program.parseAsync(['rules', ...args], { from: 'user' });
  } catch (e) {
    if (!isDrctlError(e)) throw e;
    err.push(`error: ${e.message}`);
    code = e.exitCode;
  }
  return { code: code ?? -1, out: out.join('\n'), err: err.join('\n') };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function initializedStore(): Promise<{ url: string; file: string }> {
  const { dir, cleanup } = await makeTmpDir('drctl-rules-cli-');
  cleanups.push(cleanup);
  const file = path.join(dir, 'rules.json');
  const url = `file:${file}`;
  expect((await rules(['init', '--topology', LAB_TOPOLOGY_FILE, '--store', url])).code).toBe(0);
  return { url, file };
}

const T = ['--topology', LAB_TOPOLOGY_FILE];

describe('drctl rules', () => {
  test('route 12345666 → shard 66', async () => {
    expect(await rules(['route', '12345666', ...T])).toEqual({ code: 0, out: 'user 12345666 → shard 66 → RZ04 → sh-b (city sh)', err: '' });
    expect((await rules(['route', '12x', ...T])).code).toBe(3);
  });

  test('flip without a terminal and without --yes refuses (exit 4) and changes nothing', async () => {
    const { url, file } = await initializedStore();
    const r = await rules(['flip', '--cut', 'hz-a,hz-b', ...T, '--store', url]);
    expect(r.code).toBe(4);
    expect(r.err).toBe('error: refusing to flip the routing rules without --yes: stdin is not a terminal');
    expect((await openFileStore(file).read())?.version).toBe(1);
  });

  test('--dry-run exits 2 when shards would move, 0 once flipped; a declined prompt exits 4', async () => {
    const { url } = await initializedStore();
    const dry = await rules(['flip', '--cut', 'hz-a', '--cut', 'hz-b', '--dry-run', ...T, '--store', url]);
    expect(dry).toMatchObject({ code: 2, out: 'shards 00-19: RZ01 (hz-a) → RZ03 (sh-a)\nshards 20-39: RZ02 (hz-b) → RZ04 (sh-b)' });
    expect((await rules(['flip', '--cut', 'hz-a,hz-b', ...T, '--store', url], { interactive: true, answer: false })).code).toBe(4);
    const done = await rules(['flip', '--cut', 'hz-a,hz-b', '--yes', ...T, '--store', url]);
    expect(done.code).toBe(0);
    expect(done.out).toMatch(/flipped: version 1 → 4$/);
    expect(done.err.split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['fence', 'catch-up', 'flip', 'unfence']);
    expect((await rules(['flip', '--cut', 'hz-a,hz-b', '--dry-run', ...T, '--store', url])).code).toBe(0);
  });

  test('--json prints one envelope, also for failures', async () => {
    const { url } = await initializedStore();
    const ok = await rules(['diff', '@1', LAB_TOPOLOGY_FILE, '--store', url], { json: true });
    expect(JSON.parse(ok.out)).toMatchObject({ schemaVersion: 1, command: 'rules diff', ok: true, result: { changed: 0, moves: [] } });
    const bad = await rules(['flip', '--cut', 'hz-a,hz-b,sh-a,sh-b', '--yes', ...T, '--store', url], { json: true });
    expect(bad.code).toBe(4);
    expect(JSON.parse(bad.out)).toMatchObject({ command: 'rules flip', ok: false, result: null, error: { code: 'rules-refused' } });
    const show = JSON.parse((await rules(['show', ...T, '--store', url], { json: true })).out);
    expect(show.result.zones[0]).toEqual({ zone: 'RZ01', dc: 'hz-a', city: 'hz', shards: '00-19', load: 20, capacity: 60 });
    expect(show.result.dcs).toHaveLength(5);
  });

  test('an invalid topology is exit 3 with its diagnostics', async () => {
    const r = await rules(['show', '--topology', path.join(path.dirname(LAB_TOPOLOGY_FILE), 'missing.yaml')]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^error: topology file not found: /);
  });

  test('watch prints every change, one line each, in order', async () => {
    const { url } = await initializedStore();
    const watchErr: string[] = [];
    const watching = rules(['watch', '--store', url, '--count', '4'], { err: watchErr });
    await waitFor(() => watchErr.some((l) => l.startsWith('watching ')), 'the watcher to subscribe');
    expect((await rules(['flip', '--cut', 'sz-a', '--yes', ...T, '--store', url])).code).toBe(0);
    expect((await rules(['unfence', '--store', url, '--yes'])).out).toBe('no fence is set');
    expect((await rules(['rollback', '--to', '1', '--store', url, '--yes'])).code).toBe(0);
    const w = await watching;
    expect(w.code).toBe(0);
    expect(w.out.split('\n').map((l) => l.replace(/^\S+ /, ''))).toEqual([
      'v2 fence    shards 80-99 write-forbidden by "flip sz-a"',
      'v3 map      shards 80-99: RZ05 → RZ03',
      'v4 unfence  fence lifted: all shards writable',
      'v5 fence    shards 80-99 write-forbidden by "rollback to v1"',
    ]);
  });
});
