import { describe, expect, test } from 'vitest';
import { BUILTIN_KINDS } from '../../../src/kinds/builtin.js';
import { BUILTIN_KIND_NAMES, loadBuiltinRegistry } from '../../../src/kinds/builtin-lazy.js';

// The CLI imports built-in kinds on demand (builtin-lazy.ts); it must know exactly the kinds of builtin.ts.
describe('built-in kinds loaded on demand', () => {
  test('the same kinds as builtin.ts, each the same object', async () => {
    expect(BUILTIN_KIND_NAMES).toEqual(BUILTIN_KINDS.map((k) => k.name).sort());
    const all = await loadBuiltinRegistry();
    for (const k of BUILTIN_KINDS) expect(all.get(k.name)).toBe(k);
  });

  test('only the built-in kinds a runbook names (others: a typo, a plug-in kind, are ignored)', async () => {
    expect((await loadBuiltinRegistry(['exec', 'wait', 'exec', 'acme.thing'])).names()).toEqual(['exec', 'wait']);
    expect((await loadBuiltinRegistry([])).names()).toEqual([]);
  });
});
