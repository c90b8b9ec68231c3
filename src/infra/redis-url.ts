import { parseDuration } from '../util/duration.js';
import { usageError } from '../util/errors.js';
import { hidePassword } from '../util/hide-password.js';
import { formatHostPort, parseHostPort, type HostPort } from './host-port.js';

/** A Redis endpoint list (tried in order) or Sentinels, with the database, key prefix and credentials. */
export interface RedisSpec {
  readonly kind: 'redis' | 'sentinel';
  readonly endpoints: readonly HostPort[];
  /** Sentinel: the monitored master's name. */
  readonly masterName: string | undefined;
  readonly db: number;
  /** Every key starts with it (?prefix=P); undefined: the consumer's own default. */
  readonly prefix: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean;
  /** How long a lost connection is retried (commands wait for it) before the store counts as unreachable. */
  readonly retryMs: number;
  /** Replicas that must acknowledge each write (WAIT); undefined: 1 when the primary has replicas. */
  readonly replicas: number | undefined;
}

export const DEFAULT_RETRY_MS = 5_000;
const URL_RE = /^(redis|rediss|redis\+sentinel):\/\/(?:([^@/]*)@)?([^/?]+)(?:\/([^?]*))?(?:\?(.*))?$/;

/** The one Redis URL grammar, for --state and for rules stores (README: "Redis URLs"). */
export const REDIS_URL_FORMS =
  'redis://[user:pass@]host:port[,host:port...][/DB][?prefix=P], rediss://... or redis+sentinel://h1:26379,h2:26379/MASTER[/DB]';

export const isRedisUrl = (text: string): boolean => /^(redis|rediss|redis\+sentinel):\/\//.test(text);

/**
 * The one Redis URL grammar, for --state and for the rules stores alike:
 * redis://[user:pass@]host:port[/DB][?prefix=P]        one Redis; /DB is the database number (default 0)
 *   query: prefix=P (every key starts with P), retry=DURATION (reconnect window, default 5s), replicas=N (WAIT)
 * redis://a:6379,b:6379[/DB]                            endpoints tried in order (the first primary wins)
 * rediss://...                                          the same over TLS
 * redis+sentinel://h1:26379,h2:26379/MASTER[/DB]        Sentinel
 * `what` names the flag or param in messages ("--state", "--store"). A bad URL is a usage error (exit 3).
 */
export function parseRedisUrl(text: string, what: string): RedisSpec {
  const shown = hidePassword(text);
  const m = URL_RE.exec(text);
  if (!m)
    throw usageError(
      `${what} ${shown}: not a redis://, rediss:// or redis+sentinel:// URL`,
      `e.g. redis://127.0.0.1:6379/0?prefix=drctl: or redis+sentinel://h1:26379,h2:26379/mymaster`,
    );
  const [, scheme = '', auth, hosts = '', pathPart = '', query = ''] = m;
  const sentinel = scheme === 'redis+sentinel';
  const defaultPort = sentinel ? 26379 : 6379;
  const endpoints = hosts
    .split(',')
    .filter(Boolean)
    .map((h) => endpointOf(h, defaultPort, shown, what));
  if (endpoints.length === 0) throw usageError(`${what} ${shown}: no host:port given`);
  const segments = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const masterName = sentinel ? segments.shift() : undefined;
  if (sentinel && !masterName) throw usageError(`${what} ${shown}: name the Sentinel master: redis+sentinel://h1:26379,h2:26379/MASTER`);
  const dbText = segments.shift();
  const db = dbText === undefined ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || segments.length > 0) {
    throw usageError(
      `${what} ${shown}: the path must be /DB (a database number)${sentinel ? ' after the master name' : ''}`,
      'a key prefix goes in the query: ?prefix=P',
    );
  }
  const params = new URLSearchParams(query);
  const [user, pass] = auth === undefined ? [] : auth.split(':', 2).map(decodeURIComponent);
  const retryText = params.get('retry');
  const retryMs = retryText === null ? DEFAULT_RETRY_MS : retryText === '0' ? 0 : parseDuration(retryText);
  if (retryMs === undefined)
    throw usageError(`${what} ${shown}: retry=${retryText ?? ''} is not a duration (e.g. retry=5s, retry=0 to never reconnect)`);
  const replicasText = params.get('replicas');
  const replicas = replicasText === null ? undefined : Number(replicasText);
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0))
    throw usageError(`${what} ${shown}: replicas=${replicasText ?? ''} must be a whole number (0 to never wait for replicas)`);
  return {
    kind: sentinel ? 'sentinel' : 'redis',
    endpoints,
    masterName,
    db,
    prefix: params.get('prefix') ?? undefined,
    username: user || undefined,
    password: pass || undefined,
    tls: scheme === 'rediss',
    retryMs,
    replicas,
  };
}

/** What is wrong with a Redis URL (no IO), or undefined: for static checks (validate, option parsing). */
export function redisUrlProblem(text: string, what: string): string | undefined {
  try {
    parseRedisUrl(text, what);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function endpointOf(text: string, defaultPort: number, whole: string, what: string): HostPort {
  const e = parseHostPort(text, defaultPort);
  if (!('problem' in e)) return e;
  if (e.problem === 'port') throw usageError(`${what} ${whole}: port ${e.portText} of "${text}" is not 1-65535`);
  throw usageError(`${what} ${whole}: bad endpoint "${text}" (host:port, [IPv6]:port)`);
}

/** For messages: never the password. */
export function redisLabel(spec: RedisSpec): string {
  const hosts = spec.endpoints.map(formatHostPort).join(',');
  return spec.kind === 'sentinel' ? `redis+sentinel://${hosts}/${spec.masterName ?? ''}` : `redis://${hosts}/${spec.db}`;
}
