import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../helpers/wait-for.js';

const run = promisify(execFile);

/**
 * A redis-server that keeps its data across restarts (appendonly, fsync on every write) in `dir`, on a
 * given port: stop() SIGKILLs it by pid (a crash), and start again on the same port and dir brings the data back.
 */
export async function startPersistentRedis(
  dir: string,
  port: number,
  extraArgs: readonly string[] = [],
): Promise<{ pid: number; stop(): Promise<void> }> {
  const pidfile = path.join(dir, `redis-${port}.pid`);
  // a SIGKILLed server leaves its pidfile: read back, it would name the dead pid and leak the restarted server
  await rm(pidfile, { force: true });
  await run('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--appendfilename',
    `appendonly-${port}.aof`,
    '--appenddirname',
    `aof-${port}`,
    '--dbfilename',
    `dump-${port}.rdb`,
    '--dir',
    dir,
    '--daemonize',
    'yes',
    '--pidfile',
    pidfile,
    '--repl-diskless-sync-delay',
    '0',
    ...extraArgs,
  ]);
  const pid = Number((await waitFor(() => readFile(pidfile, 'utf8').catch(() => ''), 'redis pidfile')).trim());
  await waitFor(async () => (await run('redis-cli', ['-p', String(port), 'ping'])).stdout.includes('PONG'), 'redis ping');
  return {
    pid,
    async stop() {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await waitFor(() => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      }, 'redis to be gone');
    },
  };
}

/** A Sentinel on a free port monitoring the Redis primary on `masterPort` as "drctl-master" (extra config lines appended). */
export async function startSentinel(
  dir: string,
  port: number,
  masterPort: number,
  extra: readonly string[] = [],
): Promise<{ stop(): Promise<void> }> {
  const { writeFile } = await import('node:fs/promises');
  const conf = path.join(dir, `sentinel-${port}.conf`);
  const pidfile = path.join(dir, `sentinel-${port}.pid`);
  await writeFile(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      'daemonize yes',
      `pidfile ${pidfile}`,
      `dir ${dir}`,
      `sentinel monitor drctl-master 127.0.0.1 ${masterPort} 1`,
      ...extra,
      '',
    ].join('\n'),
  );
  await run('redis-sentinel', [conf]);
  const pid = Number((await waitFor(() => readFile(pidfile, 'utf8').catch(() => ''), 'sentinel pidfile')).trim());
  await waitFor(
    async () =>
      (await run('redis-cli', ['-p', String(port), 'sentinel', 'get-master-addr-by-name', 'drctl-master'])).stdout.includes(
        String(masterPort),
      ),
    'sentinel to know the master',
  );
  return {
    async stop() {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

/** What a Sentinel says about "drctl-master": its address now, and how many replicas it knows. */
export async function sentinelView(port: number): Promise<{ masterPort: number; replicas: number }> {
  const addr = (await run('redis-cli', ['-p', String(port), 'sentinel', 'get-master-addr-by-name', 'drctl-master'])).stdout
    .trim()
    .split('\n');
  const replicas = (await run('redis-cli', ['-p', String(port), 'sentinel', 'replicas', 'drctl-master'])).stdout
    .split('\n')
    .filter((l) => l.trim() === 'name').length;
  return { masterPort: Number(addr[1]), replicas };
}

/** INFO replication of the Redis on `port`: its role and how far its replicas acknowledged. */
export async function replicationInfo(port: number): Promise<Record<string, string>> {
  const text = (await run('redis-cli', ['-p', String(port), 'info', 'replication'])).stdout;
  return Object.fromEntries(
    text
      .split(/\r?\n/)
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
  );
}
