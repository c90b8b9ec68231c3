import { appendFile, chmod, chown, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pollFor, readPidFile } from './process.js';
import { asUser, isRoot, mustRun, pgBinDir } from './run.js';
import { canConnect } from './ports.js';
import { inNs } from './net.js';

export const PG_OS_USER = 'postgres';
export const PG_DB_USER = 'postgres';

/** Settings both nodes share (lab.md): replication, pg_rewind (wal_log_hints, wal_keep_size), no fsync. */
export function pgSettings(port: number, socketDir: string, listen = '127.0.0.1'): string {
  return [
    '',
    '# drctl lab',
    `listen_addresses = '${listen}'`,
    `port = ${port}`,
    `unix_socket_directories = '${socketDir}'`,
    'wal_level = replica',
    'max_wal_senders = 10',
    'max_replication_slots = 10',
    'wal_log_hints = on',
    'full_page_writes = on',
    'hot_standby = on',
    'wal_keep_size = 256MB',
    'fsync = off',
    'shared_buffers = 32MB',
    "recovery_target_timeline = 'latest'",
    '',
  ].join('\n');
}

/** The folder PostgreSQL writes into must belong to its OS user, mode 0700 (root runs it through runuser). */
export async function ownPgRoot(root: string): Promise<void> {
  await mkdir(root, { recursive: true });
  if (isRoot()) {
    const { uid, gid } = await osUserIds(PG_OS_USER);
    await chown(root, uid, gid);
    await chmod(root, 0o700);
  }
}

/**
 * ownPgRoot for a root inside a folder the caller just made (mkdtemp: 0700): that folder is opened
 * (0755) so the postgres user can reach the root. Never a shared sticky folder such as /tmp itself.
 */
export async function preparePgRoot(root: string): Promise<void> {
  await ownPgRoot(root);
  const parent = path.dirname(root);
  if (isRoot() && ((await stat(parent)).mode & 0o1000) === 0) await chmod(parent, 0o755);
}

async function osUserIds(user: string): Promise<{ uid: number; gid: number }> {
  const out = await mustRun(['id', '-u', user]);
  const gid = await mustRun(['id', '-g', user]);
  return { uid: Number(out.trim()), gid: Number(gid.trim()) };
}

const bin = (name: string): string => path.join(pgBinDir(), name);

/**
 * initdb + settings for the primary. `trustNet` (netns mode: the lab's bridge subnet) is trusted for
 * clients and replication besides loopback; pg_hba.conf is copied to the standby by pg_basebackup.
 */
export async function initPrimary(
  dataDir: string,
  port: number,
  socketDir: string,
  listen = '127.0.0.1',
  trustNet?: string,
): Promise<void> {
  await rm(dataDir, { recursive: true, force: true });
  await mustRun(asUser(PG_OS_USER, [bin('initdb'), '-D', dataDir, '-A', 'trust', '-U', PG_DB_USER, '--no-sync']));
  await appendFile(path.join(dataDir, 'postgresql.conf'), pgSettings(port, socketDir, listen));
  if (trustNet !== undefined) {
    await appendFile(path.join(dataDir, 'pg_hba.conf'), `host all all ${trustNet} trust\nhost replication all ${trustNet} trust\n`);
  }
}

/** pg_basebackup -R from the primary; the standby's own port goes in postgresql.auto.conf. */
export async function cloneStandby(dataDir: string, primaryPort: number, port: number, primaryHost = '127.0.0.1'): Promise<void> {
  await rm(dataDir, { recursive: true, force: true });
  await mustRun(
    asUser(PG_OS_USER, [
      bin('pg_basebackup'),
      '-h',
      primaryHost,
      '-p',
      String(primaryPort),
      '-U',
      PG_DB_USER,
      '-D',
      dataDir,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
      '--no-sync',
    ]),
  );
  await setPort(dataDir, port);
}

/** Append the node's port last in postgresql.auto.conf (pg_rewind and pg_basebackup copy the other node's). */
export async function setPort(dataDir: string, port: number): Promise<void> {
  await appendFile(path.join(dataDir, 'postgresql.auto.conf'), `port = '${port}'\n`);
}

/** pg_ctl start -w; resolves with the postmaster's pid once it accepts connections. */
export async function startPostgres(dataDir: string, port: number, logFile: string, host = '127.0.0.1', ns?: string): Promise<number> {
  await mustRun(inNs(ns, asUser(PG_OS_USER, [bin('pg_ctl'), '-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start'])));
  const pid = await pollFor(() => readPidFile(path.join(dataDir, 'postmaster.pid')), `postgres ${dataDir} postmaster.pid`);
  await pollFor(() => canConnect(port, 2000, host), `postgres on ${host}:${port}`);
  return pid;
}
