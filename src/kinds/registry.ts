import type { AnyKind } from '../model/kind.js';

export interface KindRegistry {
  register(kind: AnyKind): void;
  get(name: string): AnyKind | undefined;
  names(): readonly string[];
}

const NAME_RE = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

export function createKindRegistry(kinds: readonly AnyKind[] = []): KindRegistry {
  const byName = new Map<string, AnyKind>();
  const registry: KindRegistry = {
    register(kind) {
      if (!NAME_RE.test(kind.name)) throw new Error(`invalid kind name "${kind.name}": use dotted lowercase`);
      if (byName.has(kind.name)) throw new Error(`kind "${kind.name}" is registered twice`);
      byName.set(kind.name, kind);
    },
    get: (name) => byName.get(name),
    names: () => [...byName.keys()].sort(),
  };
  for (const k of kinds) registry.register(k);
  return registry;
}

export const isValidKindName = (name: string): boolean => NAME_RE.test(name);
