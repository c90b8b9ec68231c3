import type { Redis } from 'ioredis';
import net from 'node:net';
import { StoreUnreachable } from './errors.js';
import { specLabel, type StoreSpec } from './store-url.js';

type RedisSpec = Extract<StoreSpec, { kind: 'redis' | 'sentinel' }>;

const CONNECT_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 3_000;

/**
 * Connect the CLI way (stack-notes: lazyConnect, timeouts, no offline queue, bounded retries, an
 * 'error' listener): a dead store fails fast with StoreUnreachable instead of hanging. A list of
 * endpoints is tried in order and the first primary wins (replicas are skipped); Sentinel asks the
 * Sentinels for the current master. A dropped connection is re-made for up to `spec.retryMs` (a blip,
 * a Sentinel failover: a READONLY reply from a demoted primary reconnects too); after that the client
 * ends and every command fails, so the run stops safely (the store retries within the same window).
 */
export async function connectRedis(spec: RedisSpec): Promise<Redis> {
  const label = specLabel(spec);
  const { Redis } = await import('ioredis'); // loaded on first use: folder-store runs never pay for it
  let spentMs = 0;
  const common = {
    db: spec.db, lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0, enableOfflineQueue: false, disableClientInfo: true,
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
  const candidates = spec.kind === 'sentinel'
    ? [{ name: 'sentinels', make: () => new Redis({ ...common, sentinels: spec.endpoints.map((e) => ({ host: e.host, port: e.port })), name: spec.masterName ?? '', sentinelRetryStrategy: (t: number) => (t > 2 ? null : 100) }) }]
    : spec.endpoints.map((e) => ({ name: `${e.host}:${e.port}`, probe: e, make: () => new Redis({ ...common, host: e.host, port: e.port }) }));
  if (spec.kind === 'sentinel') {
    const probes = await Promise.all(spec.endpoints.map((e) => tcpProbe(e.host, e.port)));
    if (probes.every((p) => p !== undefined)) {
      throw new StoreUnreachable(label, new Error(spec.endpoints.map((e, i) => `sentinel ${e.host}:${e.port}: ${probes[i] ?? ''}`).join('; ')));
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
  throw new StoreUnreachable(label, new Error(failures.join('; ')));
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
    const timer = setTimeout(() => done(`connect timed out after ${CONNECT_TIMEOUT_MS} ms`), CONNECT_TIMEOUT_MS);
    timer.unref();
    socket.once('connect', () => done(undefined));
    socket.once('error', (e) => done(e.message));
  });
}
