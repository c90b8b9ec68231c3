import { isEtcdUrl, parseEtcdUrl } from '../infra/etcd-url.js';
import { isRedisUrl, redisUrlProblem } from '../infra/redis-url.js';

/** The forms a rules store takes, for messages and help. */
export const RULES_STORE_FORMS =
  'redis://HOST:PORT[/DB][?prefix=P] (the grammar of --state), etcd://HOST:PORT[,HOST:PORT...][/PREFIX] or file:PATH.json';
/** The key prefix of the rules in etcd when the URL names none. */
export const DEFAULT_ETCD_RULES_PREFIX = 'drctl/rules';

/**
 * Static check of a rules store URL (no IO), for kind.check, CLI option parsing and openRuleStore:
 * a message saying what is wrong, or undefined when it is usable (or still holds a ${…} reference).
 * Redis URLs follow the one grammar of infra/redis-url.ts (/DB is the database, ?prefix=P the key
 * prefix), etcd URLs that of infra/etcd-url.ts: both are --state's grammars too.
 */
export function storeUrlProblem(url: string): string | undefined {
  if (url.includes('${')) return undefined;
  if (isRedisUrl(url)) return redisUrlProblem(url, 'rules store');
  if (isEtcdUrl(url)) {
    const spec = parseEtcdUrl(url, DEFAULT_ETCD_RULES_PREFIX);
    return 'problem' in spec ? `bad etcd URL ${spec.problem}` : undefined;
  }
  if (url.startsWith('file:') && url.length > 'file:'.length) return undefined;
  return `unsupported rules store "${url}": use ${RULES_STORE_FORMS}`;
}
