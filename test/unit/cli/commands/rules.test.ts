import { Command, CommanderError } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { CliIO } from '../../../../src/cli/io.js';
import { registerRulesCommand } from '../../../../src/cli/commands/rules.js';
import { parseCommandWords } from '../../../../src/cli/commands/rules/command-words.js';
import { openFileStore } from '../../../../src/rules/store-file.js';
import { storeUrlProblem } from '../../../../src/rules/store-url.js';
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
async function rules(
  args: readonly string[],
  o: { json?: boolean; interactive?: boolean; answer?: boolean; err?: string[] } = {},
): Promise<Run> {
  const out: string[] = [];
  const err: string[] = o.err ?? [];
  const io: CliIO = {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    json: o.json ?? false,
    interactive: o.interactive ?? false,
    color: { out: false, err: false },
    confirm: async () => o.answer ?? false,
  };
  let code: ExitCode | undefined;
  const program = new Command('drctl').exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  registerRulesCommand(program, io, (c) => (code = c));
  try {
    await program.parseAsync(['rules', ...args], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      err.push(e.message);
      code = 3; // as main.ts maps commander's usage errors
    } else {
      if (!isDrctlError(e)) throw e;
      err.push(`error: ${e.message}`);
      if (e.hint) err.push(`hint: ${e.hint}`);
      code = e.exitCode;
    }
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
    const r = await rules(['flip', '--cut', 'hz-a,hz-b', '--no-catch-up', ...T, '--store', url]);
    expect(r.code).toBe(4);
    expect(r.err).toBe(
      'error: refusing to flip the routing rules without --yes: stdin is not a terminal\nhint: pass --yes to confirm from automation (cron, CI)',
    );
    expect((await openFileStore(file).read())?.version).toBe(1);
  });

  test('a flip that moves shards needs --catch-up CMD or an explicit --no-catch-up (exit 3, nothing changed)', async () => {
    const { url, file } = await initializedStore();
    const r = await rules(['flip', '--cut', 'hz-a', '--yes', ...T, '--store', url]);
    expect(r).toMatchObject({ code: 3, out: '' });
    expect(r.err).toMatch(
      /^error: shards would move, but no catch-up check was given\nhint: pass --catch-up CMD .* or --no-catch-up to move without waiting$/,
    );
    const bad = await rules(['flip', '--cut', 'hz-a', '--yes', '--catch-up', `sh -c 'test 1 -eq 1`, ...T, '--store', url]);
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(/^error: --catch-up: unterminated single quote at character 7\n/);
    const rollback = await rules(['rollback', '--to', '1', '--yes', '--store', url]);
    expect(rollback.code).toBe(0); // nothing moves: no catch-up needed
    expect((await openFileStore(file).read())?.version).toBe(1);
    expect((await rules(['flip', '--cut', 'hz-a', '--yes', '--no-catch-up', ...T, '--store', url])).code).toBe(0);
    const back = await rules(['rollback', '--to', '1', '--yes', '--store', url]);
    expect(back.code).toBe(3);
    expect(back.err).toMatch(/^error: shards would move, but no catch-up check was given/);
  });

  test('earlier cuts stay cut: flipping sh-a after Hangzhou moves its shards to Shenzhen, not back to hz-a', async () => {
    const { url } = await initializedStore();
    expect((await rules(['flip', '--cut', 'hz-a,hz-b', '--yes', '--no-catch-up', ...T, '--store', url])).code).toBe(0);
    const dry = await rules(['flip', '--cut', 'sh-a', '--dry-run', ...T, '--store', url]);
    expect(dry).toMatchObject({ code: 2, out: 'already cut (stay cut): hz-a, hz-b\nshards 00-19, 40-59: RZ03 (sh-a) → RZ05 (sz-a)' });
    const json = JSON.parse((await rules(['flip', '--cut', 'sh-a', '--dry-run', ...T, '--store', url], { json: true })).out);
    expect(json.result).toMatchObject({ cut: ['hz-a', 'hz-b', 'sh-a'], earlierCut: ['hz-a', 'hz-b'], addedCut: ['sh-a'], changes: true });
    const show = await rules(['show', ...T, '--store', url]);
    expect(show.out.split('\n')[1]).toBe('cut: hz-a, hz-b (stay cut until a fail-back home)');
  });

  test('route and show refuse a missing store or one sharded differently from the topology', async () => {
    const { dir, cleanup } = await makeTmpDir('drctl-rules-cli-');
    cleanups.push(cleanup);
    const missing = await rules(['route', '12345666', ...T, '--store', `file:${path.join(dir, 'missing.json')}`]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error: file:.*missing\.json holds no rules yet \(or the file does not exist\)/);
    const big = path.join(dir, 'big.yaml');
    await writeFile(
      big,
      'apiVersion: drctl/v1\nkind: Topology\nmetadata: { name: big }\nspec:\n  shardCount: 10000\n  cities: { c: { dcs: { d1: { zones: { Z1: { capacity: 10000, shards: ["0-9999"] } } } } } }\n',
    );
    const url = `file:${path.join(dir, 'big.json')}`;
    expect((await rules(['init', '--topology', big, '--store', url])).code).toBe(0);
    for (const args of [['route', '12345666'], ['show']]) {
      const r = await rules([...args, ...T, '--store', url]);
      expect(r.code).toBe(3);
      expect(r.err).toMatch(
        /^error: file:.*big\.json version 1 has 10000 shards but topology lab has 100: they describe different shardings\nhint: pass the --topology the rules were published from$/,
      );
    }
  });

  test.each([
    ['invalid JSON', '{"schemaVersion": 1, "versions": [', /is not a drctl rules store: not JSON \(/],
    ['an empty object', '{}', /is not a drctl rules store: schemaVersion is undefined, want 1\nhint: /],
    [
      'a version of the wrong shape',
      '{"schemaVersion":1,"versions":[{"version":1,"kind":"init","atIso":"x","map":{"shardCount":100,"runs":[["RZ01",0,100]]},"fence":null}]}',
      /is not a drctl rules store: version 1 has a map run \["RZ01",0,100\] that is not \[zone, from, to\] within 0-99\n/,
    ],
    [
      'a fence of the wrong shape',
      '{"schemaVersion":1,"versions":[{"version":1,"kind":"fence","atIso":"x","map":{"shardCount":100,"runs":[]},"fence":{"by":"x"}}]}',
      /is not a drctl rules store: version 1 has a bad fence: fence lacks "by" or "atIso"\n/,
    ],
  ])('a store file holding %s is one line naming it (exit 3), for every command', async (_what, content, message) => {
    const { dir, cleanup } = await makeTmpDir('drctl-rules-cli-');
    cleanups.push(cleanup);
    const file = path.join(dir, 'bad.json');
    await writeFile(file, content);
    const good = await initializedStore();
    for (const args of [
      ['show', ...T, '--store', `file:${file}`],
      ['route', '7', ...T, '--store', `file:${file}`],
      ['flip', '--cut', 'hz-a', '--dry-run', ...T, '--store', `file:${file}`],
      ['diff', good.file, file],
      ['watch', '--count', '1', '--store', `file:${file}`],
      ['init', ...T, '--store', `file:${file}`],
    ]) {
      const r = await rules(args);
      expect([args[0], r.code]).toEqual([args[0], 3]);
      expect(r.err).toMatch(message);
    }
  });

  test('a folder as a store, and an unparsable Redis URL, are usage errors naming the store or the flag (exit 3)', async () => {
    const { dir, cleanup } = await makeTmpDir('drctl-rules-cli-');
    cleanups.push(cleanup);
    await mkdir(path.join(dir, 'sub'));
    const folder = await rules(['show', ...T, '--store', `file:${path.join(dir, 'sub')}`]);
    expect(folder.code).toBe(3);
    expect(folder.err).toMatch(/^error: file:.*sub is not a drctl rules store: it is a directory, not a file\n/);
    // the hints show the grammar the parser accepts: a Redis key prefix is ?prefix=P, never /PREFIX (refused: "the path must be /DB")
    const forms = 'redis://HOST:PORT[/DB][?prefix=P] (the grammar of --state), etcd://HOST:PORT[,HOST:PORT...][/PREFIX] or file:PATH.json';
    expect(folder.err).toContain(forms);
    const none = await rules(['watch', '--count', '1']);
    expect(none).toMatchObject({ code: 3, err: expect.stringContaining(`hint: pass --store ${forms} (or set DRCTL_RULES_STORE)`) });
    for (const r of [folder, none]) expect(r.err).not.toMatch(/redis:\/\/HOST:PORT\[?\/PREFIX/);
    expect(storeUrlProblem('redis://127.0.0.1:6379/2?prefix=rules:')).toBeUndefined();
    expect(storeUrlProblem('redis://127.0.0.1:6379/foo')).toMatch(/the path must be \/DB/);
    const url = await rules(['show', ...T, '--store', 'redis://[bad']);
    expect(url).toMatchObject({
      code: 3,
      err: "error: option '--store <url>' argument 'redis://[bad' is invalid. rules store redis://[bad: bad endpoint \"[bad\" (host:port, [IPv6]:port)",
    });
    expect((await rules(['watch', '--count', '0', '--store', 'file:x.json'])).err).toMatch(
      /a count of changes must be a positive integer, got "0"$/,
    );
  });

  test('@previous is the map before the last flip, not the fenced version just before @current', async () => {
    const { url } = await initializedStore();
    expect((await rules(['flip', '--cut', 'sz-a', '--yes', '--no-catch-up', ...T, '--store', url])).code).toBe(0);
    const d = await rules(['diff', '@previous', '@current', '--store', url, ...T]);
    expect(d).toMatchObject({ code: 0, out: 'shards 80-99: RZ05 (sz-a) → RZ03 (sh-a)' });
    expect(JSON.parse((await rules(['diff', '@previous', '@current', '--store', url], { json: true })).out).result.a).toMatch(/@2$/);
  });

  test('--dry-run exits 2 when shards would move, 0 once flipped; a declined prompt exits 4', async () => {
    const { url } = await initializedStore();
    const dry = await rules(['flip', '--cut', 'hz-a', '--cut', 'hz-b', '--dry-run', ...T, '--store', url]);
    expect(dry).toMatchObject({ code: 2, out: 'shards 00-19: RZ01 (hz-a) → RZ03 (sh-a)\nshards 20-39: RZ02 (hz-b) → RZ04 (sh-b)' });
    expect(
      (await rules(['flip', '--cut', 'hz-a,hz-b', '--no-catch-up', ...T, '--store', url], { interactive: true, answer: false })).code,
    ).toBe(4);
    const done = await rules(['flip', '--cut', 'hz-a,hz-b', '--yes', '--no-catch-up', ...T, '--store', url]);
    expect(done.code).toBe(0);
    expect(done.out).toMatch(/flipped: version 1 → 4; cut: hz-a, hz-b$/);
    expect(done.err.split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['warning:', 'fence', 'catch-up', 'flip', 'unfence']);
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
    expect(r.err).toMatch(/^error: --topology \S+missing\.yaml: topology file not found: /);
    expect(r.err).toContain('hint: pass --topology FILE or set DRCTL_TOPOLOGY');
  });

  test('watch prints every change, one line each, in order', async () => {
    const { url } = await initializedStore();
    const watchErr: string[] = [];
    const watching = rules(['watch', '--store', url, '--count', '4'], { err: watchErr });
    await waitFor(() => watchErr.some((l) => l.startsWith('watching ')), 'the watcher to subscribe');
    expect((await rules(['flip', '--cut', 'sz-a', '--yes', '--no-catch-up', ...T, '--store', url])).code).toBe(0);
    expect((await rules(['unfence', '--store', url, '--yes'])).out).toBe('no fence is set');
    expect((await rules(['rollback', '--to', '1', '--store', url, '--yes', '--no-catch-up'])).code).toBe(0);
    const w = await watching;
    expect(w.code).toBe(0);
    expect(w.out.split('\n').map((l) => l.replace(/^\S+ /, ''))).toEqual([
      'v2 fence    shards 80-99 write-forbidden by "flip sz-a"',
      'v3 map      shards 80-99: RZ05 → RZ03; cut: sz-a',
      'v4 unfence  fence lifted: all shards writable',
      'v5 fence    shards 80-99 write-forbidden by "rollback to v1"',
    ]);
  });
});

describe('--catch-up words', () => {
  test.each([
    [`sh -c 'test 1 -eq 1'`, ['sh', '-c', 'test 1 -eq 1']],
    [`psql -tAc "select pg_is_in_recovery()" -p 5432`, ['psql', '-tAc', 'select pg_is_in_recovery()', '-p', '5432']],
    [`echo "a \\"quoted\\" \\$HOME" it\\'s`, ['echo', 'a "quoted" $HOME', "it's"]],
    [`  spaced   out  `, ['spaced', 'out']],
    [`a''b ""`, ['ab', '']],
    [`["sh", "-c", "exit 0"]`, ['sh', '-c', 'exit 0']],
  ])('%s', (text, argv) => {
    expect(parseCommandWords(text)).toEqual({ argv });
  });

  test.each([
    [`sh -c 'test 1 -eq 1`, 'unterminated single quote at character 7'],
    [`echo "open`, 'unterminated double quote (opened at character 6)'],
    [`trailing\\`, 'a backslash at the end escapes nothing'],
    [`   `, 'it names no command'],
    [`["sh", 1]`, 'a JSON argv must be a non-empty array of strings'],
    [`[not json`, expect.stringMatching(/^it starts with "\[" but is not a JSON array \(/)],
  ])('%s is refused', (text, problem) => {
    expect(parseCommandWords(text)).toEqual({ problem });
  });
});
