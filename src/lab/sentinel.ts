import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pollFor, readPidFile } from './process.js';
import { redisCli, type StartedProcess } from './redis.js';
import { mustRun } from './run.js';

export interface SentinelOptions {
  readonly dir: string;
  readonly port: number;
  /** Groups to monitor: name → master port on 127.0.0.1. */
  readonly monitors: readonly { readonly name: string; readonly masterPort: number }[];
  readonly quorum: number;
  readonly downAfterMs?: number;
  readonly failoverTimeoutMs?: number;
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Each monitored master's address (default 127.0.0.1). */
  readonly masterHosts?: Readonly<Record<string, string>>;
}

/** Sentinel rewrites its config file, so every start writes a fresh one. */
export function renderSentinelConfig(o: SentinelOptions, files: { pidFile: string; logFile: string }): string {
  const lines = [
    `port ${o.port}`,
    `bind ${o.host ?? '127.0.0.1'}`,
    'protected-mode no',
    'daemonize yes',
    `pidfile ${files.pidFile}`,
    `logfile ${files.logFile}`,
    `dir ${o.dir}`,
    'sentinel resolve-hostnames no',
  ];
  for (const m of o.monitors) {
    lines.push(
      `sentinel monitor ${m.name} ${o.masterHosts?.[m.name] ?? '127.0.0.1'} ${m.masterPort} ${o.quorum}`,
      `sentinel down-after-milliseconds ${m.name} ${o.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${m.name} ${o.failoverTimeoutMs ?? 5000}`,
      `sentinel parallel-syncs ${m.name} 1`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function startSentinel(o: SentinelOptions): Promise<StartedProcess> {
  await mkdir(o.dir, { recursive: true });
  const pidFile = path.join(o.dir, 'sentinel.pid');
  const logFile = path.join(o.dir, 'sentinel.log');
  const conf = path.join(o.dir, 'sentinel.conf');
  await writeFile(conf, renderSentinelConfig(o, { pidFile, logFile }));
  await mustRun(['redis-sentinel', conf]);
  const pid = await pollFor(() => readPidFile(pidFile), `sentinel ${o.port} pid file`);
  const host = o.host ?? '127.0.0.1';
  await pollFor(
    async () => (await redisCli(o.port, ['PING'], undefined, host)).includes('PONG'),
    `sentinel ${host}:${o.port} to answer PING`,
  );
  return { pid, logFile, pidFile };
}

/**
 * Wait until every sentinel knows every other sentinel and the group's replicas, so that a failover
 * right after start can elect a leader.
 */
export async function waitSentinelsConverged(
  ports: readonly number[],
  groups: readonly { name: string; replicas: number }[],
  timeoutMs = 20_000,
  host = '127.0.0.1',
): Promise<void> {
  await Promise.all(
    ports.flatMap((port) =>
      groups.map((g) =>
        pollFor(
          async () => {
            const info = parseFlat(await redisCli(port, ['SENTINEL', 'MASTER', g.name], undefined, host));
            return Number(info['num-other-sentinels']) >= ports.length - 1 && Number(info['num-slaves']) >= g.replicas;
          },
          `sentinel ${host}:${port} to discover the other sentinels and replicas of ${g.name}`,
          timeoutMs,
        ),
      ),
    ),
  );
}

/** redis-cli prints a flat key/value reply one item a line. */
function parseFlat(text: string): Record<string, string> {
  const lines = text.split('\n');
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < lines.length; i += 2) out[lines[i] ?? ''] = lines[i + 1] ?? '';
  return out;
}
