import { chmod } from 'node:fs/promises';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { MysqlMember } from '../../src/kinds/mysql-primary/params.js';
import { MARIADB_USERS, startMariadbGroup } from '../../src/lab/mariadb-pair.js';
import { readPidFile, signalServer } from '../../src/lab/process.js';
import type { DataCenter } from '../../src/lab/topology.js';
import { freePort } from './free-port.js';
import { processTracker } from './lab-processes.js';
import { makeTmpDir } from './tmp-dir.js';

/** Real MariaDB servers for a kind test: a primary and its GTID replicas on free ports in a temp folder (the lab's own set-up). */
export interface MariadbGroup {
  readonly members: MysqlMember[];
  readonly password: string;
  /** One statement as drctl's admin user (or the app user, DML on lab.* only). */
  sql(name: string, text: string, options?: { user?: 'admin' | 'app'; values?: unknown[] }): Promise<Record<string, unknown>[]>;
  /** A connection kept open (the caller ends it). */
  connect(name: string, user?: 'admin' | 'app'): Promise<mysql.Connection>;
  signal(name: string, signal: 'SIGSTOP' | 'SIGCONT'): Promise<void>;
  stop(): Promise<void>;
}

export async function startGroup(prefix: string, dcs: readonly DataCenter[]): Promise<MariadbGroup> {
  const tmp = await makeTmpDir(prefix);
  await chmod(tmp.dir, 0o755); // the mysql user reaches its data folders
  const procs = processTracker();
  const specs = await Promise.all(dcs.map(async (dc, i) => ({ name: `db-${dc}`, dc, port: await freePort(), serverId: i + 1 })));
  let group;
  try {
    group = await startMariadbGroup(path.join(tmp.dir, 'mariadb'), specs, async (p) => procs.add(p.pid, 'SIGTERM', p.pidFile));
  } catch (e) {
    await procs.stopAll();
    await tmp.cleanup().catch(() => undefined);
    throw e;
  }
  const { password, nodes } = group;
  const members = group.members.map((m) => ({ name: m.name, dc: m.dc, host: m.host, port: m.port, user: m.user, password }));
  const portOf = (name: string): number => members.find((m) => m.name === name)?.port ?? 0;
  const connect = (name: string, user: 'admin' | 'app' = 'admin') =>
    mysql.createConnection({
      host: '127.0.0.1',
      port: portOf(name),
      user: user === 'app' ? MARIADB_USERS.app : MARIADB_USERS.admin,
      password,
      connectTimeout: 5000,
    });
  return {
    members,
    password,
    connect,
    async sql(name, text, options = {}) {
      const c = await connect(name, options.user);
      try {
        const [rows] = await c.query({ sql: text, values: options.values ?? [], timeout: 20_000 });
        return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
      } finally {
        c.destroy();
      }
    },
    async signal(name, signal) {
      const node = nodes[members.findIndex((m) => m.name === name)];
      const pid = node ? await readPidFile(node.pidFile) : undefined;
      if (pid === undefined) throw new Error(`no pid for ${name}`);
      signalServer(pid, signal);
    },
    async stop() {
      await procs.stopAll();
      await tmp.cleanup();
    },
  };
}
