import { parseDuration } from '../util/duration.js';
import { hidePassword } from '../util/hide-password.js';
import { parseHostPort, type HostPort } from '../infra/host-port.js';

/** What an etcd:// URL names: a cluster (every member's client endpoint), a key prefix and how to talk to it. */
export interface EtcdSpec {
  readonly endpoints: readonly HostPort[];
  /** Key prefix without a trailing slash ("drctl"): keys are PREFIX/lock/SCOPE, PREFIX/run/ID... */
  readonly prefix: string;
  readonly username: string | undefined;
  /** Never printed: see etcdLabel. */
  readonly password: string | undefined;
  /** TLS (etcds:// or any of ca/cert/key): files read when the client is made. */
  readonly tls: { readonly ca: string | undefined; readonly cert: string | undefined; readonly key: string | undefined } | undefined;
  /** Deadline of every unary call (a frozen member must not hang a command). */
  readonly timeoutMs: number;
  /** gRPC ping interval: how fast a silent (cut, frozen) member is noticed on open streams. */
  readonly keepaliveMs: number;
}

export const ETCD_DEFAULT_PORT = 2379;
export const ETCD_DEFAULT_TIMEOUT_MS = 2_000;
export const ETCD_DEFAULT_KEEPALIVE_MS = 1_000;
/** The password of an etcd:// URL that names a user but no password. */
export const ETCD_PASSWORD_ENV = 'DRCTL_ETCD_PASSWORD';

const URL_RE = /^(etcd|etcds):\/\/(?:([^@/]*)@)?([^/?]+)(?:\/([^?]*))?(?:\?(.*))?$/;
const OPTIONS = ['prefix', 'ca', 'cert', 'key', 'timeout', 'keepalive'] as const;

export const isEtcdUrl = (text: string): boolean => /^etcds?:\/\//i.test(text);

/**
 * etcd://[USER[:PASSWORD]@]HOST:PORT[,HOST:PORT...][/PREFIX][?OPTIONS]   (etcds:// = TLS)
 *   OPTIONS: prefix=P (the key prefix, as in the Redis URLs' query; the same as /P), ca=FILE, cert=FILE,
 *            key=FILE (TLS), timeout=DURATION (per call, default 2s),
 *            keepalive=DURATION (gRPC ping, default 1s; etcd needs --grpc-keepalive-min-time at or below it)
 * A USER without a password takes it from DRCTL_ETCD_PASSWORD. Returns the spec or a problem (without the password).
 */
export function parseEtcdUrl(
  text: string,
  defaultPrefix: string,
  env: NodeJS.ProcessEnv = process.env,
): EtcdSpec | { readonly problem: string } {
  const shown = redactEtcdUrl(text);
  const bad = (why: string): { problem: string } => ({ problem: `${shown}: ${why}` });
  const m = URL_RE.exec(text);
  if (!m) return bad('not an etcd URL: etcd://HOST:PORT[,HOST:PORT...][/PREFIX]');
  const [, scheme = '', auth, hosts = '', pathPart = '', query = ''] = m;
  const endpoints: HostPort[] = [];
  for (const h of hosts.split(',').filter(Boolean)) {
    const e = parseHostPort(h, ETCD_DEFAULT_PORT);
    if ('problem' in e)
      return bad(e.problem === 'port' ? `port ${e.portText} of "${h}" is not 1-65535` : `bad endpoint "${h}" (host:port, [IPv6]:port)`);
    endpoints.push(e);
  }
  if (endpoints.length === 0) return bad('no host:port given');
  let prefix: string;
  try {
    prefix = decodeURIComponent(pathPart).replace(/^\/+|\/+$/g, '');
  } catch {
    return bad('the prefix is not valid percent-encoding');
  }
  const params = new URLSearchParams(query);
  const queryPrefix = params.get('prefix')?.replace(/^\/+|\/+$/g, '');
  if (queryPrefix !== undefined && prefix !== '' && queryPrefix !== prefix)
    return bad(`the prefix is given twice (/${prefix} and ?prefix=${queryPrefix})`);
  prefix ||= queryPrefix ?? '';
  const unknown = [...params.keys()].filter((k) => !(OPTIONS as readonly string[]).includes(k));
  if (unknown.length > 0) return bad(`unknown option ${unknown.join(', ')} (known: ${OPTIONS.join(', ')})`);
  const duration = (name: 'timeout' | 'keepalive', fallback: number): number | { problem: string } => {
    const v = params.get(name);
    if (v === null) return fallback;
    const ms = parseDuration(v);
    return ms !== undefined && ms >= 100 ? ms : bad(`${name}=${v} is not a duration of at least 100ms (e.g. ${name}=2s)`);
  };
  const timeoutMs = duration('timeout', ETCD_DEFAULT_TIMEOUT_MS);
  const keepaliveMs = duration('keepalive', ETCD_DEFAULT_KEEPALIVE_MS);
  if (typeof timeoutMs !== 'number') return timeoutMs;
  if (typeof keepaliveMs !== 'number') return keepaliveMs;
  const [user, pass] = auth === undefined ? [] : splitAuth(auth);
  const username = user || undefined;
  const password = pass || (username ? env[ETCD_PASSWORD_ENV] || undefined : undefined);
  if (username && !password) return bad(`user ${username} has no password: put it in ${ETCD_PASSWORD_ENV} (or in the URL)`);
  const [ca, cert, key] = (['ca', 'cert', 'key'] as const).map((k) => params.get(k) ?? undefined);
  if ((cert === undefined) !== (key === undefined)) return bad('cert= and key= go together (the client certificate and its key)');
  const tls = scheme === 'etcds' || ca !== undefined || cert !== undefined ? { ca, cert, key } : undefined;
  return { endpoints, prefix: prefix || defaultPrefix, username, password, tls, timeoutMs, keepaliveMs };
}

function splitAuth(auth: string): [string, string] {
  const i = auth.indexOf(':');
  const dec = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return i < 0 ? [dec(auth), ''] : [dec(auth.slice(0, i)), dec(auth.slice(i + 1))];
}

/** The URL with its password replaced by *** (for any message). */
export function redactEtcdUrl(text: string): string {
  return hidePassword(text);
}

/** For messages: scheme, members and prefix; never the password. */
export function etcdLabel(spec: EtcdSpec): string {
  const hosts = spec.endpoints.map((e) => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`)).join(',');
  return `${spec.tls ? 'etcds' : 'etcd'}://${spec.username ? `${spec.username}@` : ''}${hosts}/${spec.prefix}`;
}
