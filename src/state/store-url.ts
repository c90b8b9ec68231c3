import { etcdLabel, isEtcdUrl, parseEtcdUrl, type EtcdSpec } from '../infra/etcd-url.js';
import { isRedisUrl, parseRedisUrl, redisLabel, type RedisSpec } from '../infra/redis-url.js';
import { usageError } from '../util/errors.js';

/** The key prefix of the state store in Redis when the URL names none. */
export const DEFAULT_STATE_PREFIX = 'drctl:';
/** The key prefix of the state in etcd when the URL names none. */
export const DEFAULT_ETCD_STATE_PREFIX = 'drctl';

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
