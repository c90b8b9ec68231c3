import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from '../infra/exec.js';
import { pollFor, readPidFile } from './process.js';
import { labEnv, mustRun } from './run.js';
import { inNs, LOOPBACK_HOST } from './net.js';

export interface StartRedisOptions {
  /** Folder for this node's files (created). */
  readonly dir: string;
  readonly port: number;
  /** Port of the master on 127.0.0.1 when this node starts as a replica. */
  readonly replicaOf?: number;
  /** replica-priority (Sentinel promotes the lowest non-zero). */
  readonly priority?: number;
  readonly extraArgs?: readonly string[];
  /** Address to bind (default 127.0.0.1; the lab's data center address in netns mode, net.ts). */
  readonly host?: string;
  /** The master's address when this node starts as a replica (default 127.0.0.1). */
  readonly replicaOfHost?: string;
  /** Network namespace to run in (netns mode). */
  readonly ns?: string;
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
  const host = o.host ?? LOOPBACK_HOST;
  await mustRun(
    inNs(o.ns, [
      'redis-server',
      '--port',
      String(o.port),
      '--bind',
      host,
      // what the master (and so Sentinel) tells others this replica's address is: its own, not the source address
      ...(host === LOOPBACK_HOST ? [] : ['--replica-announce-ip', host]),
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
      ...(o.replicaOf === undefined ? [] : ['--replicaof', o.replicaOfHost ?? LOOPBACK_HOST, String(o.replicaOf)]),
      ...(o.extraArgs ?? []),
    ]),
  );
  const pid = await pollFor(() => readPidFile(pidFile), `redis ${o.port} pid file`);
  await pollFor(async () => (await redisCli(o.port, ['PING'], undefined, host)).includes('PONG'), `redis ${host}:${o.port} to answer PING`);
  return { pid, logFile, pidFile };
}

/**
 * redis-cli's time limit: its own start-up is inside it (≈ 5 ms idle, up to ≈ 1 s on a busy machine),
 * so it is generous; a frozen server still fails it.
 */
const REDIS_CLI_TIMEOUT_MS = 10_000;

/** One redis-cli command; stdout, or '' when the server does not answer within REDIS_CLI_TIMEOUT_MS. */
export async function redisCli(
  port: number,
  args: readonly string[],
  timeoutMs = REDIS_CLI_TIMEOUT_MS,
  host: string = LOOPBACK_HOST,
): Promise<string> {
  const r = await runCommand(['redis-cli', '-h', host, '-p', String(port), ...args], { timeoutMs, env: labEnv() });
  return r.exitCode === 0 ? r.stdout : '';
}

/** Wait until a replica's link to its master is up (ROLE ... connected). */
export async function waitReplicaLinked(port: number, host: string = LOOPBACK_HOST): Promise<void> {
  await pollFor(
    async () => (await redisCli(port, ['ROLE'], undefined, host)).includes('connected'),
    `redis replica ${host}:${port} to sync`,
  );
}
