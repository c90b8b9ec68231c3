import { createFileStore } from './file-store.js';
import type { StateStore } from './store.js';
import { parseStoreSpec } from './store-url.js';

/** --state → the store: a folder (embedded) or Redis (ioredis is imported only then). */
export async function openStateStore(text: string): Promise<StateStore> {
  const spec = parseStoreSpec(text);
  if (spec.kind === 'file') return createFileStore(spec.dir);
  const { openRedisStateStore } = await import('./redis-store.js');
  return openRedisStateStore(spec);
}
