import { etcdLabel, isEtcdUrl, parseEtcdUrl, type EtcdSpec } from '../infra/etcd-url.js';
import { isRedisUrl, parseRedisUrl, redisLabel, type RedisSpec } from '../infra/redis-url.js';
import { usageError } from '../util/errors.js';

/** The key prefix of the state store in Redis when the URL names none. */
export const DEFAULT_STATE_PREFIX = 'drctl:';
/** The key prefix of the state in etcd when the URL names none. */
export const DEFAULT_ETCD_STATE_PREFIX = 'drctl';

/**
 * The shortest lock lease (--lease) with an etcd state store. The holder proves its lease alive by
 * keepalives (state/etcd-lease.ts) and stops acting TTL/5 (at least 0.5 s) before it could end; across a
 * leader election the last answer can be up to 1 s old when the leader stops, the election takes
 * 0.4-0.9 s on the lab's cluster with two busy loops per core (heartbeat 50 ms, election 500 ms; about
 * 1.2-1.6 s idle with etcd's defaults 100/1000 ms), and the first renewal sent after it is answered
 * within a retry (250 ms) and a round trip. 5 s leaves 5 - 1 - 1 - 0.25 - 0.3 ≈ 2.4 s for the election;
 * 2 s left under 0.3 s and lost the lease to elections under load. A cluster with a longer
 * --election-timeout needs a lease of at least about 2.5 times its election time.
 */
export const ETCD_MIN_LEASE_MS = 5_000;

/** What --state names: a folder, Redis (endpoints or Sentinels), or an etcd cluster. */
export type StoreSpec =
  | { readonly kind: 'file'; readonly dir: string }
  | { readonly kind: 'etcd'; readonly etcd: EtcdSpec }
  | (RedisSpec & { readonly prefix: string });

/**
 * A folder (the embedded store), or a URL: redis://, rediss://, redis+sentinel:// (the one Redis URL
 * grammar: infra/redis-url.ts) or etcd://, etcds:// (infra/etcd-url.ts).
 */
export function parseStoreSpec(text: string): StoreSpec {
  if (!/^[a-z+]+:\/\//i.test(text)) return { kind: 'file', dir: text };
  if (isEtcdUrl(text)) {
    const etcd = parseEtcdUrl(text, DEFAULT_ETCD_STATE_PREFIX);
    if ('problem' in etcd) throw usageError(`--state ${etcd.problem}`, 'e.g. etcd://127.0.0.1:2379,127.0.0.2:2379,127.0.0.3:2379/drctl');
    return { kind: 'etcd', etcd };
  }
  if (!isRedisUrl(text)) {
    throw usageError(`--state ${text}: not a folder or a redis://, rediss://, redis+sentinel://, etcd:// or etcds:// URL`, 'e.g. redis://127.0.0.1:6379/0?prefix=drctl: or etcd://h1:2379,h2:2379,h3:2379/drctl');
  }
  const spec = parseRedisUrl(text, '--state');
  return { ...spec, prefix: spec.prefix ?? DEFAULT_STATE_PREFIX };
}

/** For messages: the folder, or the store's endpoints (never the password). */
export function specLabel(spec: StoreSpec): string {
  if (spec.kind === 'file') return spec.dir;
  if (spec.kind === 'etcd') return etcdLabel(spec.etcd);
  return redisLabel(spec);
}
