import { describe, expect, test } from 'vitest';
import { BUILTIN_KIND_NAMES, loadBuiltinKinds, loadBuiltinRegistry } from '../../../src/kinds/builtin.js';

// The built-in kinds are one list of loaders (kinds/builtin.ts): each is imported only when a runbook names it.
describe('built-in kinds loaded on demand', () => {
  test('every name of the list loads the kind of that name, once (the same object each time)', async () => {
    const kinds = await loadBuiltinKinds();
    expect(kinds.map((k) => k.name).sort()).toEqual(BUILTIN_KIND_NAMES);
    const again = await loadBuiltinRegistry();
    for (const k of kinds) expect(again.get(k.name)).toBe(k);
  });

  test('only the built-in kinds a runbook names (others: a typo, a plug-in kind, are ignored)', async () => {
    expect((await loadBuiltinRegistry(['exec', 'wait', 'exec', 'acme.thing'])).names()).toEqual(['exec', 'wait']);
    expect((await loadBuiltinRegistry([])).names()).toEqual([]);
  });
});
