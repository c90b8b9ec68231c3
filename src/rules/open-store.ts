import path from 'node:path';
import { DrctlError, ExitCode } from '../util/errors.js';
import type { RuleStore } from './store.js';
import { openFileStore } from './store-file.js';

/**
 * "redis://host:port[/prefix]" → Redis store; "file:path.json" → file store (relative paths resolve
 * against baseDir). Anything else is a usage error (exit 3).
 */
export async function openRuleStore(url: string, baseDir: string): Promise<RuleStore> {
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

/** Static check of a store URL (no IO), for kind.check and CLI option parsing. */
export function storeUrlProblem(url: string): string | undefined {
  if (url.includes('${')) return undefined;
  if (url.startsWith('redis://')) {
    try {
      new URL(url);
      return undefined;
    } catch {
      return `bad Redis URL "${url}": use redis://HOST:PORT[/PREFIX]`;
    }
  }
  if (url.startsWith('file:') && url.length > 'file:'.length) return undefined;
  return `unsupported rules store "${url}": use redis://HOST:PORT[/PREFIX] or file:PATH.json`;
}
