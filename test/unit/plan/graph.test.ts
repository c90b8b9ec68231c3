import { describe, expect, it } from 'vitest';
import { ancestors, computeLayers, criticalPath, findCycles } from '../../../src/plan/graph.js';

const g = [
  { id: 'db', needs: [] },
  { id: 'cache', needs: ['db'] },
  { id: 'rules', needs: ['db'] },
  { id: 'lb', needs: ['cache', 'rules'] },
  { id: 'dns', needs: ['lb'] },
];

describe('graph', () => {
  it('layers steps so each layer needs only earlier ones', () => {
    expect(computeLayers(g)).toEqual([['db'], ['cache', 'rules'], ['lb'], ['dns']]);
  });
  it('finds the critical path by weight', () => {
    const w: Record<string, number> = { db: 100, cache: 50, rules: 300, lb: 10, dns: 20 };
    expect(criticalPath(g, (id) => w[id] ?? 0)).toEqual({ path: ['db', 'rules', 'lb', 'dns'], totalMs: 430 });
  });
  it('reports each cycle once with its path', () => {
    const cyc = [
      { id: 'a', needs: ['c'] },
      { id: 'b', needs: ['a'] },
      { id: 'c', needs: ['b'] },
      { id: 'd', needs: ['d'] },
    ];
    expect(findCycles(cyc)).toEqual([
      ['a', 'c', 'b', 'a'],
      ['d', 'd'],
    ]);
  });
  it('lists transitive dependencies', () => {
    expect([...ancestors(g, 'dns')].sort()).toEqual(['cache', 'db', 'lb', 'rules']);
  });
});
