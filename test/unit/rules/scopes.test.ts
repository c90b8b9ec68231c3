import { describe, expect, test } from 'vitest';
import { enumerateScopes, resolveLost, scopeOf } from '../../../src/rules/scopes.js';
import { labTopology } from './lab-topology.js';

describe('failure scopes of a topology', () => {
  test('the lab: each data center, each city of more than one, each cross-city pair (a one-DC city is its DC)', async () => {
    const scopes = enumerateScopes(await labTopology());
    expect(scopes.map((s) => `${s.class}:${s.id}`)).toEqual([
      'dc:hz-a',
      'dc:hz-b',
      'dc:sh-a',
      'dc:sh-b',
      'dc:sz-a',
      'city:hz',
      'city:sh',
      'pair:hz-a+sh-a',
      'pair:hz-a+sh-b',
      'pair:hz-a+sz-a',
      'pair:hz-b+sh-a',
      'pair:hz-b+sh-b',
      'pair:hz-b+sz-a',
      'pair:sh-a+sz-a',
      'pair:sh-b+sz-a',
    ]);
    expect(scopes.find((s) => s.id === 'hz')).toEqual({ id: 'hz', class: 'city', label: 'city hz (hz-a, hz-b)', lost: ['hz-a', 'hz-b'] });
  });

  test('names of cities expand to their data centers, in topology order; a set is named by its city when it is one', async () => {
    const t = await labTopology();
    expect(resolveLost(t, ['sh', 'hz-a'])).toEqual({ ok: true, value: ['hz-a', 'sh-a', 'sh-b'] });
    expect(scopeOf(t, ['hz-b', 'hz-a'])).toMatchObject({ id: 'hz', class: 'city' });
    expect(scopeOf(t, ['sz-a', 'hz-a'])).toMatchObject({ id: 'hz-a+sz-a', class: 'pair', lost: ['hz-a', 'sz-a'] });
    expect(scopeOf(t, ['hz-a', 'sh-a', 'sh-b'])).toMatchObject({ id: 'hz-a+sh-a+sh-b', class: 'custom' });
  });

  test('an unknown name is refused, naming it, with a did-you-mean and what exists', async () => {
    const r = resolveLost(await labTopology(), ['hz-c']);
    expect(r).toEqual({
      ok: false,
      error: {
        name: 'hz-c',
        message:
          'unknown data center or city "hz-c" in topology lab (did you mean "hz-a"?) (data centers: hz-a, hz-b, sh-a, sh-b, sz-a; cities: hz, sh, sz)',
      },
    });
  });
});
