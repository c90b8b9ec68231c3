import { isEtcdUrl, parseEtcdUrl } from '../util/etcd-url.js';

export const RULES_STORE_FORMS = 'redis://HOST:PORT[/PREFIX], etcd://HOST:PORT[,HOST:PORT...][/PREFIX] or file:PATH.json';
/** The key prefix of the rules in etcd when the URL names none. */
export const DEFAULT_ETCD_RULES_PREFIX = 'drctl/rules';

/**
 * Static check of a rules store URL (no IO), for kind.check, CLI option parsing and openRuleStore:
 * a message saying what is wrong, or undefined when it is usable (or still holds a ${…} reference).
 */
export function storeUrlProblem(url: string): string | undefined {
  if (url.includes('${')) return undefined;
  if (url.startsWith('redis://')) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return `bad Redis URL "${url}": use redis://HOST:PORT[/PREFIX]`;
    }
    if (u.hostname === '') return `bad Redis URL "${url}": no host (use redis://HOST:PORT[/PREFIX])`;
    return undefined;
  }
  if (isEtcdUrl(url)) {
    const spec = parseEtcdUrl(url, DEFAULT_ETCD_RULES_PREFIX);
    return 'problem' in spec ? `bad etcd URL ${spec.problem}` : undefined;
  }
  if (url.startsWith('file:') && url.length > 'file:'.length) return undefined;
  return `unsupported rules store "${url}": use ${RULES_STORE_FORMS}`;
}
