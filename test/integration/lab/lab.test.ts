import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbPrimaryKind } from '../../../src/kinds/db-primary/index.js';
import { isRunning, resolveMember } from '../../../src/kinds/db-primary/local.js';
import { labDown, labFreeze, labStatus, labThaw, labUp, loadLabState, type LabState } from '../../../src/lab/index.js';
import { isAlive } from '../../../src/lab/process.js';
import { renderLabStatus } from '../../../src/cli/output/lab-status.js';
import { runCommand } from '../../../src/infra/exec.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { freeBasePort } from '../../helpers/lab-processes.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

// The whole estate once, on a free range of ports, in a lab folder under a 0700 parent (as a clone
// under /root is): the postgres user cannot reach it. labDown in afterAll stops it by pid.
let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let state: LabState;

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-lab-');
  expect((await stat(tmp.dir)).mode & 0o777).toBe(0o700);
  dir = path.join(tmp.dir, 'lab');
  cleanup = tmp.cleanup;
  state = await labUp({ dir, basePort: await freeBasePort() });
}, 120_000);

afterAll(async () => {
  await labDown(dir);
  await cleanup();
});

describe('lab', () => {
  it('starts every server, tracked by pid in lab.json', async () => {
    expect((await loadLabState(dir))?.processes.length).toBe(24);
    const kinds = new Set(state.processes.map((p) => p.kind));
    expect([...kinds].sort()).toEqual([
      'config-centre',
      'dc-app',
      'etcd',
      'haproxy',
      'mariadb',
      'named',
      'nginx',
      'postgres',
      'redis',
      'sentinel',
    ]);
    expect(state.processes.every((p) => p.port >= state.basePort && p.port <= state.basePort + 80)).toBe(true);
  });

  it('status shows everything up with the right primaries', async () => {
    const s = await labStatus(dir);
    expect(s.running).toBe(true);
    expect(s.processes.filter((p) => !p.alive || p.frozen)).toEqual([]);
    expect(s.redis.map((r) => [r.group, r.masterDc])).toEqual([
      ['cache-a', 'hz-a'],
      ['cache-b', 'hz-b'],
    ]);
    expect(s.pgPrimary).toEqual({ name: 'pg-hz-a', dc: 'hz-a' });
    expect(s.haproxy.map((h) => `${h.server}=${h.state}`)).toEqual(['hz-a=ready', 'hz-b=ready', 'sh-a=maint', 'sh-b=maint', 'sz-a=maint']);
    expect(s.dns).toEqual({ name: 'cashier.example.test', answer: ['127.0.0.10'] });
    expect(s.middlewareActiveDc).toBe('hz-a');
    expect(s.processes.find((p) => p.name === 'cache-a-sh-a')?.role).toBe('replica');
    // the etcd cluster: one member per city, one leader, every member answering; ids are uint64 as text
    const b = state.basePort;
    expect(s.etcd).toMatchObject({
      url: `etcd://127.0.0.1:${b + 72},127.0.0.1:${b + 73},127.0.0.1:${b + 74}/drctl`,
      endpoints: [`127.0.0.1:${b + 72}`, `127.0.0.1:${b + 73}`, `127.0.0.1:${b + 74}`],
    });
    expect(s.etcd?.members.map((m) => [m.name, m.dc, m.reachable])).toEqual([
      ['etcd-hz', 'hz-a', true],
      ['etcd-sh', 'sh-a', true],
      ['etcd-sz', 'sz-a', true],
    ]);
    expect(s.etcd?.members.filter((m) => m.leader).map((m) => m.name)).toEqual([s.etcd?.leader]);
    expect(s.etcd?.members.every((m) => /^\d+$/.test(m.id ?? ''))).toBe(true);
    expect(s.mysql.primary).toEqual({ name: 'mariadb-hz-a', dc: 'hz-a' });
    expect(s.mysql.members.map((m) => `${m.name} ${m.role} ${m.source ?? '-'} ${m.io ?? '-'}/${m.sql ?? '-'}`)).toEqual([
      'mariadb-hz-a primary - -/-',
      'mariadb-sh-a replica mariadb-hz-a Yes/Yes',
    ]);
    expect(s.nginx.map((n) => `${n.server}=${n.state}`)).toEqual(['hz-a=up', 'hz-b=up', 'sh-a=down', 'sh-b=down', 'sz-a=down']);
  });

  it('MariaDB lives in a private folder under /tmp (owned by mysql) linked from DIR/mariadb; its password is in a 0600 file; Nginx keeps every path in its prefix', async () => {
    const priv = state.mysql.privateRoot ?? '';
    expect(priv).toMatch(/^\/tmp\/drctl-lab-mariadb-/);
    expect(await readlink(path.join(dir, 'mariadb'))).toBe(priv);
    expect((await stat(path.join(priv, 'hz-a', 'data'))).uid).toBe(Number((await runCommand(['id', '-u', 'mysql'])).stdout));
    expect((await stat(state.mysql.passwordFile)).mode & 0o777).toBe(0o600);
    const conf = await readFile(path.join(state.nginx.prefix, state.nginx.conf), 'utf8');
    for (const directive of [
      'pid',
      'error_log',
      'client_body_temp_path',
      'proxy_temp_path',
      'fastcgi_temp_path',
      'uwsgi_temp_path',
      'scgi_temp_path',
    ]) {
      expect(conf, directive).toMatch(new RegExp(`^\\s*${directive} (logs|tmp)/`, 'm'));
    }
    const r = await runCommand(['nginx', '-p', `${state.nginx.prefix}/`, '-c', state.nginx.conf, '-e', 'logs/error.log', '-t', '-q'], {
      env: { PATH: `${process.env.PATH ?? ''}:/usr/sbin` },
    });
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('PostgreSQL lives in a private folder under /tmp (owned by postgres, 0700) linked from DIR/pg; db.primary follows the link', async () => {
    const priv = state.pg.privateRoot ?? '';
    expect(priv).toMatch(/^\/tmp\/drctl-lab-pg-/);
    const st = await stat(priv);
    expect([st.uid, st.mode & 0o777]).toEqual([Number((await runCommand(['id', '-u', 'postgres'])).stdout), 0o700]);
    expect((await lstat(path.join(dir, 'pg'))).isSymbolicLink()).toBe(true);
    expect(await readlink(path.join(dir, 'pg'))).toBe(priv);
    expect(state.pg.members.map((m) => path.dirname(m.dataDir))).toEqual([priv, priv]);
    // what a runbook names (${labDir}/pg/hz-a): the postgres user cannot pass that way; the kind resolves it
    const named = {
      name: 'pg-hz-a',
      dc: 'hz-a',
      host: '127.0.0.1',
      port: state.ports.pgPrimary,
      dataDir: path.join(dir, 'pg', 'hz-a'),
      osUser: 'postgres',
    };
    const ctx = makeKindContext();
    expect(await isRunning(named, ctx)).toBe(false);
    expect(await isRunning(await resolveMember(named, '/'), ctx)).toBe(true);
    const s = await dbPrimaryKind.observe({ members: [named], expectDcs: ['hz-a'] }, ctx);
    expect(s.primary).toBe('pg-hz-a');
  });

  it('refuses a second up on the same folder', async () => {
    await expect(labUp({ dir, basePort: state.basePort })).rejects.toThrow(/a lab is already running in .* run "drctl lab down" first/);
  });

  it('refuses ports in use, naming them', async () => {
    const other = await makeTmpDir('drctl-lab-busy-');
    try {
      await expect(labUp({ dir: other.dir, basePort: state.basePort })).rejects.toThrow(
        `lab ports already in use: 127.0.0.1:${state.basePort} (redis cache-a-hz-a)`,
      );
    } finally {
      await other.cleanup();
    }
  });

  it.each([
    [6379, 'redis cache-a-hz-a on 6379, the default port of Redis'],
    [5402, 'postgres primary on 5432, the default port of PostgreSQL'],
    [26369, 'sentinel sentinel-sh-a on 26379, the default port of Redis Sentinel'],
    [8364, 'haproxy frontend on 8404, the default port of HAProxy stats'],
  ])('refuses --base-port %i: a lab port would be a package default (invalid input, nothing started)', async (base, clash) => {
    const other = await makeTmpDir('drctl-lab-default-');
    try {
      const e = await labUp({ dir: other.dir, basePort: base }).catch((x: unknown) => x);
      expect((e as Error).message).toBe(
        `--base-port ${base} would put ${clash}: the lab never uses the packages' ports; pick another base port (default 27100)`,
      );
      expect((e as { exitCode?: number }).exitCode).toBe(3);
      expect(await loadLabState(other.dir)).toBeUndefined();
    } finally {
      await other.cleanup();
    }
  });

  it('freezes and thaws a data center', async () => {
    const frozen = await labFreeze(dir, 'hz-b');
    expect(frozen.map((p) => p.name).sort()).toEqual(['app-hz-b', 'cache-b-hz-b']);
    expect(
      (await labStatus(dir)).processes
        .filter((p) => p.frozen)
        .map((p) => p.name)
        .sort(),
    ).toEqual(['app-hz-b', 'cache-b-hz-b']);
    await labThaw(dir, 'hz-b');
    expect((await labStatus(dir)).processes.filter((p) => p.frozen)).toEqual([]);
    await expect(labFreeze(dir, 'xx-9')).rejects.toThrow(/unknown data center "xx-9"/);
  });

  it('a cut of Hangzhou freezes its etcd member and leaves a majority: a leader in another city', async () => {
    const frozen = await labFreeze(dir, 'hz-a');
    try {
      expect(frozen.map((p) => p.name)).toContain('etcd-hz');
      const { waitFor } = await import('../../helpers/wait-for.js');
      const s = await waitFor(
        async () => {
          const now = await labStatus(dir);
          return now.etcd?.leader && now.etcd.leader !== 'etcd-hz' ? now : undefined;
        },
        'a leader outside Hangzhou',
        20_000,
      );
      expect(s.etcd?.members.map((m) => [m.name, m.reachable])).toEqual([
        ['etcd-hz', false],
        ['etcd-sh', true],
        ['etcd-sz', true],
      ]);
    } finally {
      await labThaw(dir, 'hz-a');
    }
  });

  it('down stops every process by pid, removes the private PostgreSQL folder, and is idempotent', async () => {
    const pids = (await labStatus(dir)).processes.map((p) => p.pid);
    await labDown(dir);
    expect(pids.filter((pid) => isAlive(pid))).toEqual([]);
    await expect(stat(state.pg.privateRoot ?? '/nonexistent')).rejects.toThrow(/ENOENT/);
    await expect(stat(state.mysql.privateRoot ?? '/nonexistent')).rejects.toThrow(/ENOENT/);
    expect(await labDown(dir)).toEqual([]);
    const after = await labStatus(dir);
    expect(after.running).toBe(false);
    // status tells what it observes, not what lab.json recorded: a down process has no role, a stopped Nginx serves nothing
    expect(after.processes.filter((p) => p.alive || p.role !== null)).toEqual([]);
    expect(after.nginx).toEqual([]);
    expect(after.haproxy).toEqual([]);
    const text = renderLabStatus(after);
    expect(text).toContain('  nginx: no answer');
    expect(text).not.toMatch(/DOWN +\S/);
  });
});
