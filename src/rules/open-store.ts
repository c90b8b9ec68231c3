import path from 'node:path';
import { DrctlError, ExitCode } from '../util/errors.js';
import type { RuleStore } from './store.js';
import { openFileStore } from './store-file.js';
import { isEtcdUrl, parseEtcdUrl } from '../infra/etcd-url.js';
import { isRedisUrl } from '../infra/redis-url.js';
import { DEFAULT_ETCD_RULES_PREFIX, RULES_STORE_FORMS, storeUrlProblem } from './store-url.js';

export { storeUrlProblem } from './store-url.js';

/**
 * A Redis URL (infra/redis-url.ts: redis://host:port[/DB][?prefix=P]) → Redis store; an etcd URL
 * (etcd://h1:2379,h2:2379[/prefix]) → etcd store; "file:path.json" → file store (relative paths resolve
 * against baseDir). Anything else is a usage error (exit 3). The Redis and etcd clients are imported only when used.
 */
export async function openRuleStore(url: string, baseDir: string): Promise<RuleStore> {
  const problem = storeUrlProblem(url);
  if (problem) throw new DrctlError('bad-store-url', ExitCode.invalidInput, problem, { hint: `use ${RULES_STORE_FORMS}` });
  if (isEtcdUrl(url)) {
    const spec = parseEtcdUrl(url, DEFAULT_ETCD_RULES_PREFIX);
    if ('problem' in spec) throw new DrctlError('bad-store-url', ExitCode.invalidInput, spec.problem);
    const { openEtcdRuleStore } = await import('./store-etcd.js');
    return openEtcdRuleStore(spec);
  }
  if (isRedisUrl(url)) {
    // Loaded on first use: ioredis costs ~70 ms of start-up for commands that never touch Redis.
    const { openRedisStore } = await import('./store-redis.js');
    return openRedisStore(url);
  }
  if (url.startsWith('file:')) {
    const rest = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (rest === '') throw badStoreUrl(url);
    return openFileStore(path.resolve(baseDir, rest));
  }
  throw badStoreUrl(url);
}

const badStoreUrl = (url: string): DrctlError =>
  new DrctlError('bad-store-url', ExitCode.invalidInput, `unsupported rules store "${url}"`, {
    hint: `use ${RULES_STORE_FORMS}`,
  });
