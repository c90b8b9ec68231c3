import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, drctl, ROOT } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { makeTmpDir } from '../helpers/tmp-dir.js';

// The etcd client (npm etcd3 and gRPC) is heavy: commands that never touch etcd must not load it,
// and what the user types into --state never comes back with its password.
let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => void (tmp = await makeTmpDir('drctl-etcd-cli-')));
afterAll(async () => tmp?.cleanup());

/** The files under node_modules a drctl command opened (strace). */
async function openedModules(args: readonly string[], env: Record<string, string> = {}): Promise<string[]> {
  const trace = path.join(tmp.dir, `strace-${Math.random().toString(16).slice(2)}.txt`);
  await execa('strace', ['-f', '-qq', '-e', 'trace=openat', '-o', trace, 'node', BIN, ...args], {
    reject: false,
    cwd: ROOT,
    env: { NO_COLOR: '1', CI: 'true', ...env },
  });
  return (await readFile(trace, 'utf8')).split('\n').flatMap((l) => /"([^"]*node_modules\/[^"]*)"/.exec(l)?.[1] ?? []);
}
const etcdClient = (files: readonly string[]): string[] => files.filter((f) => /node_modules\/(etcd3|@grpc)\//.test(f));

describe('the etcd client is loaded only by commands that use etcd', () => {
  it('--version and validate do not load it, even with DRCTL_STATE naming an etcd cluster; status with that store does', async () => {
    const env = { DRCTL_STATE: `etcd://127.0.0.1:${await freePort()}/x?timeout=300ms` };
    expect(etcdClient(await openedModules(['--version'], env))).toEqual([]);
    expect(etcdClient(await openedModules(['validate', path.join(ROOT, 'runbooks/examples/city-cut.yaml')], env))).toEqual([]);
    // the control: the same trace does see the client when a command talks to etcd
    expect(etcdClient(await openedModules(['status'], env)).length).toBeGreaterThan(0);
  });
});

describe('etcd:// URLs on the command line', () => {
  it('a bad URL is bad input naming the flag (exit 3), without the password', async () => {
    const r = await drctl(['status', '--state', 'etcd://ops:s3cret-pw@127.0.0.1:99999/x']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('--state etcd://ops:***@127.0.0.1:99999/x: port 99999 of "127.0.0.1:99999" is not 1-65535');
    expect(r.stderr + r.stdout).not.toContain('s3cret-pw');
    const unknown = await drctl([
      'rules',
      'show',
      '--store',
      'etcd://127.0.0.1:2379/x?tls=yes',
      '--topology',
      path.join(ROOT, 'runbooks/lab/topology.yaml'),
    ]);
    expect(unknown.exitCode).toBe(3);
    expect(unknown.stderr).toContain('unknown option tls (known: prefix, ca, cert, key, timeout, keepalive)');
  });

  it('a lease shorter than an etcd store can keep across a leader election is bad input naming --lease (exit 3), before any connection', async () => {
    // nothing listens there: exit 3 (not 1, unreachable) proves the flag is refused before etcd is asked
    const state = `etcd://127.0.0.1:${await freePort()}/x`;
    const runbook = path.join(ROOT, 'runbooks/examples/city-cut.yaml');
    for (const args of [
      ['run', runbook, '--yes', '--lease', '2s'],
      ['drill', runbook, '--yes', '--lease', '4500ms'],
      ['resume', 'r1', '--yes', '--lease', '2s'],
      ['rollback', 'r1', '--yes', '--lease', '2s'],
    ]) {
      const r = await drctl([...args, '--state', state]);
      expect(r.exitCode, `${args[0]}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toContain(`--lease ${args.at(-1)}: an etcd state store needs a lease of at least 5s`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const fromEnv = await drctl(['resume', 'r1', '--yes', '--state', state], { env: { DRCTL_LEASE: '3s' } });
    expect(fromEnv.exitCode).toBe(3);
    // named as the user gave it: the variable (as DRCTL_YES=…, DRCTL_STATE=…), not a flag they never typed
    expect(fromEnv.stderr).toContain('error: DRCTL_LEASE=3s: an etcd state store needs a lease of at least 5s');
    expect(fromEnv.stderr).not.toContain('--lease 3s');
    const badEnv = await drctl(['resume', 'r1', '--yes', '--state', state], { env: { DRCTL_LEASE: 'soon' } });
    expect(badEnv.exitCode).toBe(3);
    expect(badEnv.stderr).toContain('error: DRCTL_LEASE=soon: a duration from 300ms to');
    const flagWins = await drctl(['resume', 'r1', '--yes', '--lease', '2s', '--state', state], { env: { DRCTL_LEASE: '3s' } });
    expect(flagWins.stderr).toContain('error: --lease 2s: an etcd state store needs');
  });

  it('an unreachable cluster: one line naming the store (never the password), exit 1', async () => {
    const port = await freePort();
    const r = await drctl(['status', '--state', `etcd://ops:s3cret-pw@127.0.0.1:${port}/x?timeout=500ms`]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: state store unreachable: etcd://ops@127\\.0\\.0\\.1:${port}/x: `, 'm'));
    expect(r.stderr + r.stdout).not.toContain('s3cret-pw');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
