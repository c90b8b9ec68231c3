/** Generic DAG helpers over step ids and their `needs`. Pure. */
export interface GraphNode {
  readonly id: string;
  readonly needs: readonly string[];
}

/** Layers of each node list already computed (step lists are readonly data: plan and run ask several times). */
const layersOf = new WeakMap<readonly GraphNode[], string[][]>();

/** Layers: layer 0 has no needs; layer k needs only earlier layers. Throws on a cycle; unknown needs are ignored. */
export function computeLayers(nodes: readonly GraphNode[]): string[][] {
  const known = layersOf.get(nodes);
  if (known) return known.map((l) => [...l]);
  // Kahn's walk over indices (no recursion: a chain of 10,000 steps is 10,000 deep): depth = 1 + deepest need
  const index = new Map<string, number>();
  nodes.forEach((n, i) => index.set(n.id, i));
  const waiting = new Int32Array(nodes.length);
  const depth = new Int32Array(nodes.length);
  const dependents: number[][] = nodes.map(() => []);
  const ready: number[] = [];
  nodes.forEach((n, i) => {
    let count = 0;
    for (let k = 0; k < n.needs.length; k++) {
      const j = index.get(n.needs[k] as string);
      if (j === undefined || n.needs.indexOf(n.needs[k] as string) !== k) continue; // unknown or repeated
      (dependents[j] as number[]).push(i);
      count++;
    }
    waiting[i] = count;
    if (count === 0) ready.push(i);
  });
  for (let r = 0; r < ready.length; r++) {
    const i = ready[r] as number;
    for (const next of dependents[i] as number[]) {
      if ((depth[i] as number) + 1 > (depth[next] as number)) depth[next] = (depth[i] as number) + 1;
      if (--(waiting[next] as number) === 0) ready.push(next);
    }
  }
  const stuck = nodes.findIndex((_, i) => (waiting[i] as number) > 0);
  if (stuck >= 0) throw new Error(`cycle through ${(nodes[stuck] as GraphNode).id}`);
  const layers: string[][] = [];
  nodes.forEach((n, i) => (layers[depth[i] as number] ??= []).push(n.id));
  const out = layers.filter((l) => l !== undefined);
  layersOf.set(nodes, out);
  return out.map((l) => [...l]);
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
