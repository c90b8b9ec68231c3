import { Redis } from 'ioredis';
import { StoreUnreachable } from './errors.js';
import { specLabel, type StoreSpec } from './store-url.js';

type RedisSpec = Extract<StoreSpec, { kind: 'redis' | 'sentinel' }>;

const CONNECT_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 3_000;

/**
 * Connect the CLI way (stack-notes: lazyConnect, timeouts, no offline queue, bounded retries, an
 * 'error' listener): a dead store fails fast with StoreUnreachable instead of hanging. A list of
 * endpoints is tried in order and the first primary wins (replicas are skipped); Sentinel asks the
 * Sentinels for the current master.
 */
export async function connectRedis(spec: RedisSpec): Promise<Redis> {
  const label = specLabel(spec);
  const common = {
    db: spec.db, lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: (times: number) => (times > 2 ? null : 100 * times),
    ...(spec.username ? { username: spec.username } : {}),
    ...(spec.password ? { password: spec.password } : {}),
    ...(spec.tls ? { tls: {} } : {}),
  };
  const failures: string[] = [];
  const candidates = spec.kind === 'sentinel'
    ? [{ name: label, make: () => new Redis({ ...common, sentinels: spec.endpoints.map((e) => ({ host: e.host, port: e.port })), name: spec.masterName ?? '', sentinelRetryStrategy: (t: number) => (t > 2 ? null : 100) }) }]
    : spec.endpoints.map((e) => ({ name: `${e.host}:${e.port}`, make: () => new Redis({ ...common, host: e.host, port: e.port }) }));
  for (const c of candidates) {
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
