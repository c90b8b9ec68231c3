import path from 'node:path';
import { DrctlError, ExitCode } from '../util/errors.js';
import type { RuleStore } from './store.js';
import { openFileStore } from './store-file.js';
import { storeUrlProblem } from './store-url.js';

export { storeUrlProblem } from './store-url.js';

/**
 * "redis://host:port[/prefix]" → Redis store; "file:path.json" → file store (relative paths resolve
 * against baseDir). Anything else is a usage error (exit 3).
 */
export async function openRuleStore(url: string, baseDir: string): Promise<RuleStore> {
  const problem = storeUrlProblem(url);
  if (problem) throw new DrctlError('bad-store-url', ExitCode.invalidInput, problem, { hint: 'use redis://HOST:PORT[/PREFIX] or file:PATH.json' });
  if (url.startsWith('redis://')) {
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
    hint: 'use redis://HOST:PORT[/PREFIX] or file:PATH.json',
  });
