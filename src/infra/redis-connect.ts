import type { Redis, RedisOptions } from 'ioredis';
import net from 'node:net';
import { formatHostPort, type HostPort } from './host-port.js';
import { redisLabel, type RedisSpec } from './redis-url.js';
import { patchCommandTimeout } from './redis-command-timeout.js';
import { patchDisconnect } from './redis-disconnect.js';
import { silenceTimer } from '../util/silence-timer.js';

/**
 * ioredis, imported on first use: commands and kinds that never touch Redis never pay for it (~70 ms).
 * Its command time limit is made to count the server's silence, not our own stall (redis-command-timeout),
 * and a closed connection's disconnect arms no 2 s timer (redis-disconnect).
 */
export const loadIoredis = async (): Promise<{ Redis: typeof Redis }> => {
  const mod = await import('ioredis');
  patchCommandTimeout(mod.Command);
  patchDisconnect(mod.AbstractConnector);
  return mod;
};

/**
 * The options that keep a CLI from ever hanging on a Redis server (stack-notes): lazy connect, connect and
 * command timeouts, no offline queue, no reconnects, no ready check and no CLIENT SETINFO round trips
 * before the first command (a silent server would cost each a timeout). The one definition; a store
 * connection (connectRedis) widens reconnects to its retry window.
 */
export function neverHangOptions(timeoutMs: number, commandTimeoutMs = timeoutMs) {
  return {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    disableClientInfo: true,
    retryStrategy: () => null,
  } satisfies RedisOptions;
}

/** A client and the last error its connection reported (ioredis says only "Connection is closed." otherwise). */
export interface RedisConnection {
  readonly client: Redis;
  lastError(): Error | undefined;
}

export interface ClientExtras {
  readonly password?: string;
  /** RESP version (2: replies as arrays, as the kinds parse them). */
  readonly protocol?: 2 | 3;
}

/** A never-hang client for one server, not yet connected, with an 'error' listener. */
export async function openRedisClient(endpoint: HostPort, timeoutMs: number, extra: ClientExtras = {}): Promise<RedisConnection> {
  const { Redis } = await loadIoredis();
  let last: Error | undefined;
  const client = new Redis({
    host: endpoint.host,
    port: endpoint.port,
    ...neverHangOptions(timeoutMs),
    ...(extra.password === undefined ? {} : { password: extra.password }),
    ...(extra.protocol === undefined ? {} : { protocol: extra.protocol }),
  });
  client.on('error', (e: Error) => (last = e));
  return { client, lastError: () => last };
}

/** A Redis store that cannot be reached: every endpoint's reason, in order. */
export class RedisUnreachable extends Error {
  constructor(
    readonly label: string,
    why: string,
  ) {
    super(why);
    this.name = 'RedisUnreachable';
  }
}

const CONNECT_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 3_000;

/**
 * Connect to a store (state or rules) the CLI way: a dead store fails fast with RedisUnreachable instead
 * of hanging. A list of endpoints is tried in order and the first primary wins (replicas are skipped);
 * Sentinel asks the Sentinels for the current master. A dropped connection is re-made for up to
 * `spec.retryMs` (a blip, a Sentinel failover: a READONLY reply from a demoted primary reconnects too);
 * after that the client ends and every command fails, so a run stops safely.
 */
export async function connectRedis(spec: RedisSpec): Promise<Redis> {
  const label = redisLabel(spec);
  const { Redis } = await loadIoredis();
  let spentMs = 0;
  const common = {
    ...neverHangOptions(CONNECT_TIMEOUT_MS, COMMAND_TIMEOUT_MS),
    db: spec.db,
    enableReadyCheck: true,
    retryStrategy: (times: number) => {
      if (times === 1) spentMs = 0;
      const delay = Math.min(50 * times, 500);
      spentMs += delay;
      return spentMs > spec.retryMs ? null : delay;
    },
    reconnectOnError: (e: Error) => e.message.startsWith('READONLY'),
    ...(spec.username ? { username: spec.username } : {}),
    ...(spec.password ? { password: spec.password } : {}),
    ...(spec.tls ? { tls: {} } : {}),
  };
  const failures: string[] = [];
  const candidates =
    spec.kind === 'sentinel'
      ? [
          {
            name: 'sentinels',
            make: () =>
              new Redis({
                ...common,
                sentinels: spec.endpoints.map((e) => ({ host: e.host, port: e.port })),
                name: spec.masterName ?? '',
                sentinelRetryStrategy: (t: number) => (t > 2 ? null : 100),
              }),
          },
        ]
      : spec.endpoints.map((e) => ({
          name: formatHostPort(e),
          probe: e,
          make: () => new Redis({ ...common, host: e.host, port: e.port }),
        }));
  if (spec.kind === 'sentinel') {
    const probes = await Promise.all(spec.endpoints.map((e) => tcpProbe(e.host, e.port)));
    if (probes.every((p) => p !== undefined)) {
      throw new RedisUnreachable(label, spec.endpoints.map((e, i) => `sentinel ${formatHostPort(e)}: ${probes[i] ?? ''}`).join('; '));
    }
  }
  for (const c of candidates) {
    if ('probe' in c) {
      const refused = await tcpProbe(c.probe.host, c.probe.port);
      if (refused) {
        failures.push(`${c.name}: ${refused}`);
        continue;
      }
    }
    const client = c.make();
    let lastError: Error | undefined;
    client.on('error', (e: Error) => (lastError = e));
    try {
      await client.connect();
      const role = (await client.call('ROLE')) as unknown[];
      if (role[0] !== 'master') {
        failures.push(`${c.name}: is a ${String(role[0])}, not a primary`);
        client.disconnect();
        continue;
      }
      return client;
    } catch (e) {
      failures.push(`${c.name}: ${lastError?.message ?? (e as Error).message}`);
      client.disconnect();
    }
  }
  throw new RedisUnreachable(label, failures.join('; '));
}

/**
 * A plain TCP connect first: a dead endpoint is skipped at once, without the ioredis client whose
 * connect timer would keep a short-lived CLI alive for connectTimeout. Resolves an error text or undefined.
 */
function tcpProbe(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (error: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(error);
    };
    const timer = silenceTimer(CONNECT_TIMEOUT_MS, () => done(`connect timed out after ${CONNECT_TIMEOUT_MS} ms`));
    timer.unref();
    socket.once('connect', () => done(undefined));
    socket.once('error', (e) => done(e.message));
  });
}
