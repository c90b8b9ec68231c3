import type { Flavor } from './params.js';

/**
 * The statements that differ between MariaDB and MySQL (pure). The lab runs MariaDB 10.11, so the MySQL
 * side is checked against the manuals only: MySQL 8.0.23+ (REPLICA / SOURCE syntax, which 8.4 requires)
 * and 5.7-8.0.22 (SLAVE / MASTER). Values go as placeholders, never spliced into the text.
 */
export interface Dialect {
  readonly flavor: Flavor;
  /** One row: ro, sro, binlog (what it wrote / executed), applied (MariaDB gtid_slave_pos), logBin, serverId, gtidMode (MariaDB: always ON). */
  readonly readState: string;
  readonly replicaStatus: string;
  /** Stop writes (a user with SUPER / READ ONLY ADMIN still writes on MariaDB: give applications DML only). */
  readonly fence: readonly string[];
  readonly unfence: readonly string[];
  /** Wait until the server has applied gtid (the first placeholder) within seconds (the second): one row, column w, 0 = done. */
  readonly waitApplied: string;
  readonly waitDone: (w: unknown) => boolean;
  /** The wait's timeout argument for ms (MariaDB takes fractions of a second; MySQL is given whole seconds). */
  readonly waitSeconds: (ms: number) => number;
  readonly stopReplica: string;
  readonly stopIoThread: string;
  readonly resetReplicaAll: string;
  readonly startReplica: string;
  /** Before a server that was a primary follows another: what it has counts as applied (MariaDB gtid_slave_pos). */
  readonly seedApplied: readonly string[];
  /** Follow host:port with GTID auto-positioning: [sql, values]. */
  changeSource(
    host: string,
    port: number,
    user: string,
    password: string | undefined,
    connectRetry: number | undefined,
  ): [string, unknown[]];
}

/** Which server answers: MariaDB says so in its version; MySQL's version number picks its syntax. */
export function flavorOf(version: string): { flavor: Flavor; modern: boolean } {
  if (/mariadb/i.test(version)) return { flavor: 'mariadb', modern: false };
  const [major = 0, minor = 0, patch = 0] = version.split(/[.-]/).map(Number);
  return { flavor: 'mysql', modern: major > 8 || (major === 8 && (minor > 0 || patch >= 23)) };
}

export function dialectOf(version: string): Dialect {
  const { flavor, modern } = flavorOf(version);
  return flavor === 'mariadb' ? MARIADB : modern ? MYSQL_MODERN : MYSQL_LEGACY;
}

const MARIADB: Dialect = {
  flavor: 'mariadb',
  readState:
    "SELECT @@global.read_only AS ro, 0 AS sro, @@global.gtid_binlog_pos AS binlog, @@global.gtid_slave_pos AS applied, @@global.log_bin AS logBin, @@global.server_id AS serverId, 'ON' AS gtidMode",
  replicaStatus: 'SHOW SLAVE STATUS',
  fence: ['SET GLOBAL read_only = 1'],
  unfence: ['SET GLOBAL read_only = 0'],
  waitApplied: 'SELECT MASTER_GTID_WAIT(?, ?) AS w',
  waitDone: (w) => Number(w) === 0,
  waitSeconds: (ms) => Math.max(0.001, ms / 1000),
  stopReplica: 'STOP SLAVE',
  stopIoThread: 'STOP SLAVE IO_THREAD',
  resetReplicaAll: 'RESET SLAVE ALL',
  startReplica: 'START SLAVE',
  seedApplied: ['SET GLOBAL gtid_slave_pos = @@global.gtid_binlog_pos'],
  changeSource: (host, port, user, password, retry) => [
    `CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos${retry === undefined ? '' : ', MASTER_CONNECT_RETRY = ?'}`,
    [host, port, user, password ?? '', ...(retry === undefined ? [] : [retry])],
  ],
};

const MYSQL_COMMON = {
  flavor: 'mysql' as const,
  readState:
    "SELECT @@global.read_only AS ro, @@global.super_read_only AS sro, @@global.gtid_executed AS binlog, '' AS applied, @@global.log_bin AS logBin, @@global.server_id AS serverId, @@global.gtid_mode AS gtidMode",
  fence: ['SET GLOBAL super_read_only = 1'],
  unfence: ['SET GLOBAL super_read_only = 0', 'SET GLOBAL read_only = 0'],
  waitApplied: 'SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS w',
  waitDone: (w: unknown) => Number(w) === 0,
  waitSeconds: (ms: number) => Math.max(1, Math.ceil(ms / 1000)),
  seedApplied: [],
};

const MYSQL_MODERN: Dialect = {
  ...MYSQL_COMMON,
  replicaStatus: 'SHOW REPLICA STATUS',
  stopReplica: 'STOP REPLICA',
  stopIoThread: 'STOP REPLICA IO_THREAD',
  resetReplicaAll: 'RESET REPLICA ALL',
  startReplica: 'START REPLICA',
  changeSource: (host, port, user, password, retry) => [
    `CHANGE REPLICATION SOURCE TO SOURCE_HOST = ?, SOURCE_PORT = ?, SOURCE_USER = ?, SOURCE_PASSWORD = ?, SOURCE_AUTO_POSITION = 1${retry === undefined ? '' : ', SOURCE_CONNECT_RETRY = ?'}`,
    [host, port, user, password ?? '', ...(retry === undefined ? [] : [retry])],
  ],
};

const MYSQL_LEGACY: Dialect = {
  ...MYSQL_COMMON,
  replicaStatus: 'SHOW SLAVE STATUS',
  stopReplica: 'STOP SLAVE',
  stopIoThread: 'STOP SLAVE IO_THREAD',
  resetReplicaAll: 'RESET SLAVE ALL',
  startReplica: 'START SLAVE',
  changeSource: (host, port, user, password, retry) => [
    `CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_AUTO_POSITION = 1${retry === undefined ? '' : ', MASTER_CONNECT_RETRY = ?'}`,
    [host, port, user, password ?? '', ...(retry === undefined ? [] : [retry])],
  ],
};

/** A row of SHOW SLAVE STATUS / SHOW REPLICA STATUS, whichever names the server uses. */
export interface ReplicaRow {
  readonly host: string;
  readonly port: number;
  readonly io: string;
  readonly sql: string;
  readonly ioError: string;
  readonly sqlError: string;
  readonly secondsBehind: number | null;
  /** Received transactions: MariaDB Gtid_IO_Pos; MySQL Retrieved_Gtid_Set. */
  readonly received: string;
}

export function readReplicaRow(row: Readonly<Record<string, unknown>>): ReplicaRow {
  const pick = (...names: string[]): unknown => names.map((n) => row[n]).find((v) => v !== undefined);
  const text = (...names: string[]): string => String(pick(...names) ?? '');
  const behind = pick('Seconds_Behind_Master', 'Seconds_Behind_Source');
  return {
    host: text('Master_Host', 'Source_Host'),
    port: Number(pick('Master_Port', 'Source_Port') ?? 0),
    io: text('Slave_IO_Running', 'Replica_IO_Running'),
    sql: text('Slave_SQL_Running', 'Replica_SQL_Running'),
    ioError: text('Last_IO_Error'),
    sqlError: text('Last_SQL_Error'),
    secondsBehind: behind === null || behind === undefined || behind === '' ? null : Number(behind),
    received: text('Gtid_IO_Pos', 'Retrieved_Gtid_Set'),
  };
}

/** Threads that are not clients: replication, the event scheduler, system threads (never killed by the fence). */
export const SYSTEM_COMMANDS = [
  'Binlog Dump',
  'Binlog Dump GTID',
  'Daemon',
  'Slave_IO',
  'Slave_SQL',
  'Slave_worker',
  'Replica_IO',
  'Replica_SQL',
  'Replica_worker',
];
export const SYSTEM_USERS = ['system user', 'event_scheduler'];
