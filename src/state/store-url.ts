import { parseDuration } from '../util/duration.js';
import { usageError } from '../util/errors.js';
import { parseHostPort, type HostPort } from '../infra/host-port.js';
import { etcdLabel, isEtcdUrl, parseEtcdUrl, type EtcdSpec } from '../util/etcd-url.js';

export type Endpoint = HostPort;

/** What --state names: a folder, Redis endpoints tried in order, Redis behind Sentinels, or an etcd cluster. */
export type StoreSpec =
  | { readonly kind: 'file'; readonly dir: string }
  | { readonly kind: 'etcd'; readonly etcd: EtcdSpec }
  | {
      readonly kind: 'redis' | 'sentinel';
      readonly endpoints: readonly Endpoint[];
      /** Sentinel: the monitored master's name. */
      readonly masterName: string | undefined;
      readonly db: number;
      readonly prefix: string;
      readonly username: string | undefined;
      readonly password: string | undefined;
      readonly tls: boolean;
      /** How long a lost connection is retried (commands wait for it) before the store counts as unreachable. */
      readonly retryMs: number;
      /** Replicas that must acknowledge each journal write and lock change (WAIT); undefined: 1 when the primary has replicas. */
      readonly replicas: number | undefined;
    };

export const DEFAULT_STATE_PREFIX = 'drctl:';
/** The key prefix of the state in etcd when the URL names none. */
export const DEFAULT_ETCD_STATE_PREFIX = 'drctl';
export const DEFAULT_RETRY_MS = 5_000;
const URL_RE = /^(redis|rediss|redis\+sentinel):\/\/(?:([^@/]*)@)?([^/?]+)(?:\/([^?]*))?(?:\?(.*))?$/;

/**
 * redis://[user:pass@]host:port[/db][?prefix=P]         one Redis
 *   query: prefix=P, retry=DURATION (reconnect window, default 5s), replicas=N (WAIT for N replicas)
 * redis://a:6379,b:6379[/db]                            endpoints tried in order (the first primary wins)
 * redis+sentinel://h1:26379,h2:26379/MASTER[/db]        Sentinel
 * etcd://[user[:pass]@]h1:2379,h2:2379,h3:2379[/prefix]  an etcd cluster (util/etcd-url.ts; etcds:// = TLS)
 * anything else                                         a folder (the embedded store)
 */
export function parseStoreSpec(text: string): StoreSpec {
  if (!/^[a-z+]+:\/\//i.test(text)) return { kind: 'file', dir: text };
  if (isEtcdUrl(text)) {
    const etcd = parseEtcdUrl(text, DEFAULT_ETCD_STATE_PREFIX);
    if ('problem' in etcd) throw usageError(`--state ${etcd.problem}`, 'e.g. etcd://127.0.0.1:2379,127.0.0.2:2379,127.0.0.3:2379/drctl');
    return { kind: 'etcd', etcd };
  }
  const m = URL_RE.exec(text);
  if (!m) throw usageError(`--state ${text}: not a folder or a redis://, rediss://, redis+sentinel://, etcd:// or etcds:// URL`, 'e.g. redis://127.0.0.1:6379/0?prefix=drctl: or etcd://h1:2379,h2:2379,h3:2379/drctl');
  const [, scheme = '', auth, hosts = '', pathPart = '', query = ''] = m;
  const sentinel = scheme === 'redis+sentinel';
  const defaultPort = sentinel ? 26379 : 6379;
  const endpoints = hosts.split(',').filter(Boolean).map((h) => endpointOf(h, defaultPort, text));
  if (endpoints.length === 0) throw usageError(`--state ${text}: no host:port given`);
  const segments = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const masterName = sentinel ? segments.shift() : undefined;
  if (sentinel && !masterName) throw usageError(`--state ${text}: name the Sentinel master: redis+sentinel://h1:26379,h2:26379/MASTER`);
  const dbText = segments.shift();
  const db = dbText === undefined ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || segments.length > 0) throw usageError(`--state ${text}: the path must be /DB (a number)${sentinel ? ' after the master name' : ''}`);
  const params = new URLSearchParams(query);
  const [user, pass] = auth === undefined ? [] : auth.split(':', 2).map(decodeURIComponent);
  const retryText = params.get('retry');
  const retryMs = retryText === null ? DEFAULT_RETRY_MS : retryText === '0' ? 0 : parseDuration(retryText);
  if (retryMs === undefined) throw usageError(`--state ${text}: retry=${retryText ?? ''} is not a duration (e.g. retry=5s, retry=0 to never reconnect)`);
  const replicasText = params.get('replicas');
  const replicas = replicasText === null ? undefined : Number(replicasText);
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) throw usageError(`--state ${text}: replicas=${replicasText ?? ''} must be a whole number (0 to never wait for replicas)`);
  return {
    kind: sentinel ? 'sentinel' : 'redis', endpoints, masterName, db,
    prefix: params.get('prefix') ?? DEFAULT_STATE_PREFIX,
    username: user || undefined, password: pass || undefined, tls: scheme === 'rediss', retryMs, replicas,
  };
}

function endpointOf(text: string, defaultPort: number, whole: string): Endpoint {
  const e = parseHostPort(text, defaultPort);
  if (!('problem' in e)) return e;
  if (e.problem === 'port') throw usageError(`--state ${whole}: port ${e.portText} of "${text}" is not 1-65535`);
  throw usageError(`--state ${whole}: bad endpoint "${text}" (host:port, [IPv6]:port)`);
}

/** For messages: never the password. */
export function specLabel(spec: StoreSpec): string {
  if (spec.kind === 'file') return spec.dir;
  if (spec.kind === 'etcd') return etcdLabel(spec.etcd);
  const hosts = spec.endpoints.map((e) => `${e.host}:${e.port}`).join(',');
  return spec.kind === 'sentinel' ? `redis+sentinel://${hosts}/${spec.masterName ?? ''}` : `redis://${hosts}/${spec.db}`;
}
