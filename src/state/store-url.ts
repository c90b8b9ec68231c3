import { etcdLabel, isEtcdUrl, parseEtcdUrl, redactEtcdUrl, type EtcdSpec } from '../infra/etcd-url.js';
import { isRedisUrl, parseRedisUrl, redisLabel, type RedisSpec } from '../infra/redis-url.js';
import { usageError } from '../util/errors.js';
import { hidePassword } from '../util/hide-password.js';

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

/** The forms --state takes, for messages. */
export const STATE_FORMS =
  'a folder, redis://HOST:PORT[/DB][?prefix=P], rediss://…, redis+sentinel://H1:P1,H2:P2/MASTER, etcd://HOST:PORT[,HOST:PORT...][/PREFIX] or etcds://…';

/**
 * How a message names the state store's value: `--state X`, or `DRCTL_STATE=X` when the value came from
 * the variable (the flag wins over it; when both give the same value either name is true).
 */
export function stateNamed(text: string, env: NodeJS.ProcessEnv = process.env): string {
  const shown = hidePassword(text);
  return env['DRCTL_STATE'] === text ? `DRCTL_STATE=${shown}` : `--state ${shown}`;
}

/** A value that starts like a URL (`word:`): never taken as a folder, so a mistyped URL cannot silently become a local store. */
export const looksLikeUrl = (text: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(text);

/**
 * A folder (the embedded store), or a URL: redis://, rediss://, redis+sentinel:// (the one Redis URL
 * grammar: infra/redis-url.ts) or etcd://, etcds:// (infra/etcd-url.ts). Anything else that starts like
 * a URL (etcd:/x, redis:x, http://…) is refused (exit 3): a folder of that name would bypass the shared
 * lock. A folder whose name has a colon is written ./NAME.
 */
export function parseStoreSpec(text: string, env: NodeJS.ProcessEnv = process.env): StoreSpec {
  if (!looksLikeUrl(text)) return { kind: 'file', dir: text };
  const named = stateNamed(text, env);
  if (isEtcdUrl(text)) {
    const etcd = parseEtcdUrl(text, DEFAULT_ETCD_STATE_PREFIX, env);
    if ('problem' in etcd) {
      // the problem starts with the (redacted) URL itself: named already shows it
      const url = `${redactEtcdUrl(text)}: `;
      const problem = etcd.problem.startsWith(url) ? etcd.problem.slice(url.length) : etcd.problem;
      throw usageError(`${named}: ${problem}`, 'e.g. etcd://127.0.0.1:2379,127.0.0.2:2379,127.0.0.3:2379/drctl');
    }
    return { kind: 'etcd', etcd };
  }
  if (!isRedisUrl(text)) {
    throw usageError(`${named}: not a folder or a well-formed store URL`, `use ${STATE_FORMS} (a folder whose name has a colon: ./NAME)`);
  }
  const spec = parseRedisUrl(text, named.startsWith('DRCTL_STATE') ? 'DRCTL_STATE' : '--state');
  return { ...spec, prefix: spec.prefix ?? DEFAULT_STATE_PREFIX };
}

/** For messages: the folder, or the store's endpoints (never the password). */
export function specLabel(spec: StoreSpec): string {
  if (spec.kind === 'file') return spec.dir;
  if (spec.kind === 'etcd') return etcdLabel(spec.etcd);
  return redisLabel(spec);
}
