import { createOrderedDelivery } from './ordered-delivery.js';
import type { RuleChange, RuleStore, RuleVersion, Subscription } from './store.js';

/**
 * A store in this process's memory: the same contract as the file and Redis stores (CAS, history,
 * ordered notifications), for embedding, benchmarks and unit tests. Nothing survives the process.
 */
export function createMemoryStore(label = 'memory:'): RuleStore {
  const versions: RuleVersion[] = [];
  const listeners = new Set<(v: number) => void>();
  return {
    label,
    read: async () => versions[versions.length - 1],
    readVersion: async (version) => versions[version - 1],
    async compareAndSet(expected, next) {
      const current = versions.length;
      if (current !== expected) return { ok: false, reason: 'conflict', currentVersion: current };
      versions.push({
        version: current + 1,
        kind: next.kind,
        atIso: new Date().toISOString(),
        map: { owners: [...next.map.owners] },
        fence: next.fence,
        cut: [...(next.cut ?? [])].sort(),
      });
      for (const l of listeners) l(current + 1);
      return { ok: true, version: current + 1 };
    },
    async subscribe(onChange: (c: RuleChange) => void, onError = () => undefined): Promise<Subscription> {
      const deliver = createOrderedDelivery(this, Promise.resolve(versions.length), onChange, onError);
      const listener = (v: number): void => void deliver(v);
      listeners.add(listener);
      return { close: async () => void listeners.delete(listener) };
    },
    async close() {
      listeners.clear();
    },
  };
}
