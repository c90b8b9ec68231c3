import { createFileStore } from './file-store.js';
import type { StateStore } from './store.js';
import { parseStoreSpec } from './store-url.js';

/** --state → the store: a folder (embedded), Redis or etcd (their clients are imported only then). */
export async function openStateStore(text: string): Promise<StateStore> {
  const spec = parseStoreSpec(text);
  if (spec.kind === 'file') return createFileStore(spec.dir);
  if (spec.kind === 'etcd') {
    const { openEtcdStateStore } = await import('./etcd-store.js');
    return openEtcdStateStore(spec.etcd);
  }
  const { openRedisStateStore } = await import('./redis-store.js');
  return openRedisStateStore(spec);
}
