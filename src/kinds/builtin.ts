import { createKindRegistry, type KindRegistry } from './registry.js';
import type { AnyKind } from '../model/kind.js';

/**
 * The built-in kinds: the one list, by name, each imported only when a runbook uses it (no scanning, no
 * import side effects). All of them (with the rules, lab and client modules they import) are about 80 of
 * the 140 modules `drctl validate` used to load at every start.
 */
const LOADERS: Readonly<Record<string, () => Promise<AnyKind>>> = {
  exec: async () => (await import('./exec.js')).execKind,
  http: async () => (await import('./http.js')).httpKind,
  wait: async () => (await import('./wait.js')).waitKind,
  gate: async () => (await import('./gate.js')).gateKind,
  'rules.flip': async () => (await import('./rules-flip/index.js')).rulesFlipKind,
  'redis.key': async () => (await import('./redis-key.js')).redisKeyKind,
  'redis.failover': async () => (await import('./redis-failover/index.js')).redisFailoverKind,
  'db.primary': async () => (await import('./db-primary/index.js')).dbPrimaryKind,
  'haproxy.servers': async () => (await import('./haproxy-servers/index.js')).haproxyServersKind,
  'mysql.primary': async () => (await import('./mysql-primary/index.js')).mysqlPrimaryKind,
  'nginx.upstream': async () => (await import('./nginx-upstream/index.js')).nginxUpstreamKind,
  'dns.record': async () => (await import('./dns-record/index.js')).dnsRecordKind,
  'fault.freeze': async () => (await import('./fault/freeze.js')).faultFreezeKind,
  'fault.link': async () => (await import('./fault/link.js')).faultLinkKind,
};

export const BUILTIN_KIND_NAMES: readonly string[] = Object.keys(LOADERS).sort();

/** The built-in kinds among `names` (other names are ignored), or all of them, in the list's order. */
export async function loadBuiltinKinds(names?: readonly string[]): Promise<AnyKind[]> {
  const wanted = names ? [...new Set(names)].filter((n) => Object.hasOwn(LOADERS, n)) : Object.keys(LOADERS);
  return Promise.all(wanted.map((n) => (LOADERS[n] as () => Promise<AnyKind>)()));
}

/** A registry of the built-in kinds among `names` (other names are ignored), or of all of them. */
export async function loadBuiltinRegistry(names?: readonly string[]): Promise<KindRegistry> {
  return createKindRegistry(await loadBuiltinKinds(names));
}
