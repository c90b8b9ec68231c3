import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MARIADB_OS_USER, rootSql, sqlString, startMariadbNode, type MariadbNode } from './mariadb.js';
import { pollFor } from './process.js';
import { placePrivateRoot } from './private-root.js';
import { MARIADB_PRIMARY, MARIADB_REPLICA, type DataCenter } from './topology.js';
import type { LabMysqlMember, LabProcess } from './types.js';

export const PRIVATE_MARIADB_PREFIX = 'drctl-lab-mariadb-';
/** The lab's users: drctl switches (all privileges), repl replicates, app only reads and writes lab.* (read_only stops it). */
export const MARIADB_USERS = { admin: 'drctl', replication: 'repl', app: 'app' } as const;
export const MARIADB_APP_DB = 'lab';

export interface MariadbNodeSpec {
  readonly name: string;
  readonly dc: DataCenter;
  readonly port: number;
  readonly serverId: number;
}

export interface MariadbGroup {
  /** The primary first, then its replicas. */
  readonly members: LabMysqlMember[];
  readonly nodes: readonly (MariadbNode & { pid: number })[];
  /** The generated password of the lab's three users. */
  readonly password: string;
}

/**
 * A MariaDB primary and its GTID replicas under root (one folder per data center), started at once; the
 * users and the app's database are created on the primary and reach the replicas by replication. Each
 * process is reported through onStarted as soon as it runs, so a failed start can be cleaned up.
 */
export async function startMariadbGroup(
  root: string,
  specs: readonly MariadbNodeSpec[],
  onStarted: (p: LabProcess) => Promise<void>,
): Promise<MariadbGroup> {
  const nodes = await Promise.all(
    specs.map(async (s, i) => {
      const node = await startMariadbNode({ dir: path.join(root, s.dc), port: s.port, serverId: s.serverId, readOnly: i > 0 });
      await onStarted({
        name: s.name,
        kind: 'mariadb',
        dc: s.dc,
        port: s.port,
        pid: node.pid,
        role: i === 0 ? 'primary' : 'replica',
        stopSignal: 'SIGTERM',
        pidFile: node.pidFile,
        logFile: node.logFile,
        dataDir: node.dataDir,
      });
      return node;
    }),
  );
  const [primary, ...replicas] = nodes as [MariadbNode & { pid: number }, ...(MariadbNode & { pid: number })[]];
  const password = randomBytes(12).toString('hex');
  await createUsers(primary, password);
  await Promise.all(replicas.map((r) => followPrimary(r, primary.port, password)));
  const members = specs.map((s, i): LabMysqlMember => ({
    name: s.name,
    dc: s.dc,
    host: '127.0.0.1',
    port: s.port,
    user: MARIADB_USERS.admin,
    cnf: nodes[i]?.cnf ?? '',
  }));
  return { members, nodes, password };
}

export interface MariadbPair {
  readonly members: LabMysqlMember[];
  readonly password: string;
  /** The password (mode 600), and a [client] file (user drctl + password) for `mariadb --defaults-file=...`. */
  readonly passwordFile: string;
  readonly clientCnf: string;
  readonly privateRoot?: string;
}

/**
 * The lab's pair, primary hz-a and replica sh-a, under DIR/mariadb (or a private folder under /tmp that it
 * links to, when the mysql user cannot reach the lab folder: reported through onRoot before anything starts).
 */
export async function startMariadbPair(
  labDir: string,
  primaryPort: number,
  replicaPort: number,
  onStarted: (p: LabProcess) => Promise<void>,
  onRoot: (privateRoot: string | undefined) => Promise<void> = async () => undefined,
): Promise<MariadbPair> {
  const { root, privateRoot } = await placePrivateRoot(labDir, 'mariadb', MARIADB_OS_USER, PRIVATE_MARIADB_PREFIX);
  await onRoot(privateRoot);
  const group = await startMariadbGroup(
    root,
    [
      { name: MARIADB_PRIMARY.name, dc: MARIADB_PRIMARY.dc, port: primaryPort, serverId: MARIADB_PRIMARY.serverId },
      { name: MARIADB_REPLICA.name, dc: MARIADB_REPLICA.dc, port: replicaPort, serverId: MARIADB_REPLICA.serverId },
    ],
    onStarted,
  );
  const passwordFile = path.join(labDir, 'mariadb-password');
  const clientCnf = path.join(labDir, 'mariadb-client.cnf');
  await writeFile(passwordFile, `${group.password}\n`, { mode: 0o600 });
  await writeFile(clientCnf, `[client]\nuser=${MARIADB_USERS.admin}\npassword=${group.password}\nhost=127.0.0.1\n`, { mode: 0o600 });
  return {
    members: group.members,
    password: group.password,
    passwordFile,
    clientCnf,
    ...(privateRoot === undefined ? {} : { privateRoot }),
  };
}

/** On the primary (binlogged: the replicas get them by replication): the three users, the app's database. */
async function createUsers(primary: MariadbNode, password: string): Promise<void> {
  const pw = sqlString(password);
  const { admin, replication, app } = MARIADB_USERS;
  await rootSql(
    primary,
    [
      `CREATE USER '${admin}'@'127.0.0.1' IDENTIFIED BY ${pw}`,
      `GRANT ALL PRIVILEGES ON *.* TO '${admin}'@'127.0.0.1' WITH GRANT OPTION`,
      `CREATE USER '${replication}'@'127.0.0.1' IDENTIFIED BY ${pw}`,
      `GRANT REPLICATION SLAVE ON *.* TO '${replication}'@'127.0.0.1'`,
      `CREATE DATABASE ${MARIADB_APP_DB}`,
      `CREATE TABLE ${MARIADB_APP_DB}.writes (id INT AUTO_INCREMENT PRIMARY KEY, dc VARCHAR(16), at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6))`,
      `CREATE USER '${app}'@'127.0.0.1' IDENTIFIED BY ${pw}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ${MARIADB_APP_DB}.* TO '${app}'@'127.0.0.1'`,
    ].join(';'),
  );
}

/** A replica follows the primary by GTID (lab.md: gtid_slave_pos seeded empty; retry and heartbeat every second). */
async function followPrimary(replica: MariadbNode, primaryPort: number, password: string): Promise<void> {
  await rootSql(
    replica,
    [
      "SET GLOBAL gtid_slave_pos = ''",
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primaryPort}, MASTER_USER='${MARIADB_USERS.replication}', MASTER_PASSWORD=${sqlString(password)}, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_HEARTBEAT_PERIOD=1`,
      'START SLAVE',
    ].join(';'),
  );
  await pollFor(
    async () => (await rootSql(replica, `SELECT COUNT(*) FROM mysql.user WHERE user='${MARIADB_USERS.app}'`)).trim() === '1',
    `the MariaDB replica on port ${replica.port} to replicate the lab's users`,
    30_000,
  );
}
