/** Generic DAG helpers over step ids and their `needs`. Pure. */
export interface GraphNode {
  readonly id: string;
  readonly needs: readonly string[];
}

/** Layers: layer 0 has no needs; layer k needs only earlier layers. Assumes no cycles / unknown needs. */
export function computeLayers(nodes: readonly GraphNode[]): string[][] {
  // Kahn's walk (no recursion: a chain of 10,000 steps is 10,000 deep): depth = 1 + deepest need
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  const depth = new Map<string, number>();
  const ready: string[] = [];
  for (const n of nodes) {
    const needs = new Set(n.needs.filter((x) => byId.has(x)));
    waiting.set(n.id, needs.size);
    for (const x of needs) {
      const list = dependents.get(x);
      if (list) list.push(n.id);
      else dependents.set(x, [n.id]);
    }
    if (needs.size === 0) ready.push(n.id);
  }
  for (let i = 0; i < ready.length; i++) {
    const id = ready[i] as string;
    const d = depth.get(id) ?? 0;
    depth.set(id, d);
    for (const next of dependents.get(id) ?? []) {
      depth.set(next, Math.max(depth.get(next) ?? 0, d + 1));
      const left = (waiting.get(next) ?? 1) - 1;
      waiting.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  const stuck = nodes.find((n) => (waiting.get(n.id) ?? 0) > 0);
  if (stuck) throw new Error(`cycle through ${stuck.id}`);
  const layers: string[][] = [];
  for (const n of nodes) (layers[depth.get(n.id) ?? 0] ??= []).push(n.id);
  return layers.filter((l) => l !== undefined);
}

/** Every cycle's path (each reported once, starting at its first node in file order): [a, b, c, a]. */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const dfs = (id: string, path: string[]): void => {
    state.set(id, 'visiting');
    path.push(id);
    for (const next of byId.get(id)?.needs ?? []) {
      if (!byId.has(next)) continue;
      if (state.get(next) === 'visiting') {
        const cycle = [...path.slice(path.indexOf(next)), next];
        const key = [...cycle.slice(0, -1)].sort().join('\0');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (state.get(next) === undefined) {
        dfs(next, path);
      }
    }
    path.pop();
    state.set(id, 'done');
  };
  for (const n of nodes) if (state.get(n.id) === undefined) dfs(n.id, []);
  return cycles;
}

/** The longest path by weight (a step's duration); returns the ids in order and the total. */
export function criticalPath(nodes: readonly GraphNode[], weight: (id: string) => number): { path: string[]; totalMs: number } {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const best = new Map<string, { total: number; prev: string | undefined }>();
  for (const layer of computeLayers(nodes)) {
    for (const id of layer) {
      let prev: string | undefined;
      let base = 0;
      for (const need of byId.get(id)?.needs ?? []) {
        const b = best.get(need);
        if (b && b.total > base) {
          base = b.total;
          prev = need;
        }
      }
      best.set(id, { total: base + weight(id), prev });
    }
  }
  let end: string | undefined;
  let total = 0;
  for (const [id, b] of best) {
    if (end === undefined || b.total > total) {
      end = id;
      total = b.total;
    }
  }
  const path: string[] = [];
  for (let at = end; at !== undefined; at = best.get(at)?.prev) path.push(at);
  return { path: path.reverse(), totalMs: total };
}

/** All transitive dependencies of a node. */
export function ancestors(nodes: readonly GraphNode[], id: string): Set<string> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Set<string>();
  const stack = [...(byId.get(id)?.needs ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (out.has(next)) continue;
    out.add(next);
    stack.push(...(byId.get(next)?.needs ?? []));
  }
  return out;
}
