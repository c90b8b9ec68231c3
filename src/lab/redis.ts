import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from '../infra/exec.js';
import { pollFor, readPidFile } from './process.js';
import { labEnv, mustRun } from './run.js';

export interface StartRedisOptions {
  /** Folder for this node's files (created). */
  readonly dir: string;
  readonly port: number;
  /** Port of the master on 127.0.0.1 when this node starts as a replica. */
  readonly replicaOf?: number;
  /** replica-priority (Sentinel promotes the lowest non-zero). */
  readonly priority?: number;
  readonly extraArgs?: readonly string[];
}

export interface StartedProcess {
  readonly pid: number;
  readonly logFile: string;
  readonly pidFile: string;
}

/** Start a redis-server (daemonized, own session) on 127.0.0.1:port; resolves when it answers PING. */
export async function startRedisServer(o: StartRedisOptions): Promise<StartedProcess> {
  await mkdir(o.dir, { recursive: true });
  const pidFile = path.join(o.dir, 'redis.pid');
  const logFile = path.join(o.dir, 'redis.log');
  await mustRun([
    'redis-server',
    '--port',
    String(o.port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'no',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    o.dir,
    '--daemonize',
    'yes',
    '--pidfile',
    pidFile,
    '--logfile',
    logFile,
    '--repl-diskless-sync-delay',
    '0',
    ...(o.priority === undefined ? [] : ['--replica-priority', String(o.priority)]),
    ...(o.replicaOf === undefined ? [] : ['--replicaof', '127.0.0.1', String(o.replicaOf)]),
    ...(o.extraArgs ?? []),
  ]);
  const pid = await pollFor(() => readPidFile(pidFile), `redis ${o.port} pid file`);
  await pollFor(async () => (await redisCli(o.port, ['PING'])).includes('PONG'), `redis 127.0.0.1:${o.port} to answer PING`);
  return { pid, logFile, pidFile };
}

/**
 * redis-cli's time limit: its own start-up is inside it (≈ 5 ms idle, up to ≈ 1 s on a busy machine),
 * so it is generous; a frozen server still fails it.
 */
const REDIS_CLI_TIMEOUT_MS = 10_000;

/** One redis-cli command; stdout, or '' when the server does not answer within REDIS_CLI_TIMEOUT_MS. */
export async function redisCli(port: number, args: readonly string[], timeoutMs = REDIS_CLI_TIMEOUT_MS): Promise<string> {
  const r = await runCommand(['redis-cli', '-h', '127.0.0.1', '-p', String(port), ...args], { timeoutMs, env: labEnv() });
  return r.exitCode === 0 ? r.stdout : '';
}

/** Wait until a replica's link to its master is up (ROLE ... connected). */
export async function waitReplicaLinked(port: number): Promise<void> {
  await pollFor(async () => (await redisCli(port, ['ROLE'])).includes('connected'), `redis replica 127.0.0.1:${port} to sync`);
}
