import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAlive, pollFor, readPidFile, spawnDetached } from './process.js';
import { isRoot, labEnv, mustRun } from './run.js';

/** The OS user mariadbd runs as when the lab runs as root (Debian's package creates it). */
export const MARIADB_OS_USER = 'mysql';

export interface MariadbNodeOptions {
  /** This node's folder (my.cnf, data, socket, logs); created. */
  readonly dir: string;
  readonly port: number;
  readonly serverId: number;
  /** A replica starts read-only (lab.md). */
  readonly readOnly: boolean;
}

export interface MariadbNode {
  readonly dir: string;
  readonly port: number;
  readonly cnf: string;
  readonly pidFile: string;
  readonly logFile: string;
  readonly dataDir: string;
}

/** The OS user mariadbd and root@localhost (unix_socket) belong to: mysql as root, else whoever runs the lab. */
const osUser = (): string => (isRoot() ? MARIADB_OS_USER : os.userInfo().username);

/**
 * my.cnf for one lab node (lab.md): everything in its folder, loopback only, binary log with GTIDs in
 * strict mode, replicas logging what they apply (so any of them can become the primary), a short
 * slave_net_timeout (a silent primary is noticed in seconds, not the default 60 s), no fsync (a lab), its
 * own tmpdir (bootstraps started at once in the shared /tmp collided on a temporary table's name).
 * [mysqld] is read by mariadbd and mariadb-install-db; [client] by mariadb and mariadb-admin.
 */
export function renderMyCnf(o: MariadbNodeOptions, user: string): string {
  const d = o.dir;
  return `[mysqld]
user=${user}
datadir=${path.join(d, 'data')}
tmpdir=${path.join(d, 'tmp')}
socket=${path.join(d, 'mariadbd.sock')}
pid-file=${path.join(d, 'mariadbd.pid')}
port=${o.port}
bind-address=127.0.0.1
log-error=${path.join(d, 'error.log')}
skip-name-resolve
server_id=${o.serverId}
log_bin=mariadb-bin
log_slave_updates=ON
binlog_format=ROW
gtid_strict_mode=ON
relay_log=relay-bin
read_only=${o.readOnly ? 'ON' : 'OFF'}
slave_net_timeout=4
innodb_buffer_pool_size=16M
innodb_log_file_size=16M
innodb_flush_log_at_trx_commit=2
sync_binlog=0
performance_schema=OFF
max_connections=100

[client]
socket=${path.join(d, 'mariadbd.sock')}
port=${o.port}
`;
}

/**
 * A fresh data folder and a started mariadbd (own session). `--defaults-file` must be the first option,
 * else /etc/mysql is merged in. Resolves when the server answers on its socket.
 */
export async function startMariadbNode(o: MariadbNodeOptions): Promise<MariadbNode & { pid: number }> {
  const user = osUser();
  const dataDir = path.join(o.dir, 'data');
  const tmpDir = path.join(o.dir, 'tmp');
  await rm(o.dir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  await mkdir(tmpDir, { recursive: true });
  const cnf = path.join(o.dir, 'my.cnf');
  await writeFile(cnf, renderMyCnf(o, user), { mode: 0o644 });
  if (isRoot()) {
    const [uid, gid] = await Promise.all([mustRun(['id', '-u', user]), mustRun(['id', '-g', user])]);
    for (const d of [o.dir, dataDir, tmpDir]) await chown(d, Number(uid.trim()), Number(gid.trim()));
  }
  await mustRun([
    'mariadb-install-db',
    `--defaults-file=${cnf}`,
    '--auth-root-authentication-method=socket',
    `--auth-root-socket-user=${isRoot() ? 'root' : user}`,
    '--skip-test-db',
  ]).catch(async (e: unknown) => {
    // its output is mostly advice: the reason is in the error log named by my.cnf
    const log = (await readFile(path.join(o.dir, 'error.log'), 'utf8').catch(() => '')).trim().split('\n').slice(-3).join('; ');
    throw new Error(`mariadb-install-db for port ${o.port} failed${log ? `: ${log}` : ''} (${(e as Error).message.split('\n')[0] ?? ''})`);
  });
  const logFile = path.join(o.dir, 'stdout.log');
  const pidFile = path.join(o.dir, 'mariadbd.pid');
  const spawned = spawnDetached(['mariadbd', `--defaults-file=${cnf}`], { logFile, cwd: o.dir, env: labEnv() });
  await pollFor(
    async () => {
      if (!isAlive(spawned)) throw new Error(`mariadbd on port ${o.port} exited at start (see ${path.join(o.dir, 'error.log')})`);
      return (await mustRun(['mariadb-admin', `--defaults-file=${cnf}`, '-uroot', 'ping'], { timeoutMs: 5000 })).includes('alive');
    },
    `mariadbd on 127.0.0.1:${o.port} (see ${path.join(o.dir, 'error.log')})`,
    30_000,
  );
  const pid = (await readPidFile(pidFile)) ?? spawned;
  return { dir: o.dir, port: o.port, cnf, pidFile, logFile: path.join(o.dir, 'error.log'), dataDir, pid };
}

/** Run SQL as the node's root over its unix socket (the lab's own set-up, never a kind's way in). */
export function rootSql(node: Pick<MariadbNode, 'cnf'>, sql: string): Promise<string> {
  return mustRun(['mariadb', `--defaults-file=${node.cnf}`, '-uroot', '--batch', '--skip-column-names', '-e', sql], { timeoutMs: 30_000 });
}

/** A SQL string literal (the lab's own values: generated passwords, names). */
export const sqlString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
