import { describe, expect, test } from 'vitest';
import { lookupScenario } from '../../../src/runbook/scenario-lookup.js';

const s = (name: string, lost: string[]) => ({ name, lost });
const catalog = [
  s('hangzhou-down', ['hz-a', 'hz-b']),
  s('hz-a-down', ['hz-a']),
  s('east-down', ['hz-a', 'hz-b', 'sh-a']),
  s('sh-a-down', ['sh-a']),
];

describe('which scenario answers a loss (assess, inspect, respond)', () => {
  test('an exact match wins over a larger one that covers it', () => {
    expect(lookupScenario(catalog, ['hz-a'])).toMatchObject({ status: 'plan', match: 'exact', scenario: { name: 'hz-a-down' } });
    expect(lookupScenario(catalog, ['hz-b', 'hz-a'])).toMatchObject({
      status: 'plan',
      match: 'exact',
      scenario: { name: 'hangzhou-down' },
    });
  });

  test('else the smallest scenario that covers the loss', () => {
    expect(lookupScenario(catalog, ['hz-b'])).toMatchObject({ status: 'plan', match: 'covering', scenario: { name: 'hangzhou-down' } });
    expect(lookupScenario(catalog, ['hz-b', 'sh-a'])).toMatchObject({ status: 'plan', match: 'covering', scenario: { name: 'east-down' } });
  });

  test('nothing covers it: none', () => {
    expect(lookupScenario(catalog, ['sz-a'])).toEqual({ status: 'none' });
    expect(lookupScenario(catalog, ['hz-a', 'sz-a'])).toEqual({ status: 'none' });
  });

  test('two that tie are ambiguous: two exact ones, or two smallest covering ones', () => {
    const twice = [...catalog, s('hangzhou-lost', ['hz-a', 'hz-b'])];
    expect(lookupScenario(twice, ['hz-a', 'hz-b'])).toMatchObject({
      status: 'ambiguous',
      match: 'exact',
      candidates: [{ name: 'hangzhou-down' }, { name: 'hangzhou-lost' }],
    });
    expect(lookupScenario(twice, ['hz-b'])).toMatchObject({
      status: 'ambiguous',
      match: 'covering',
      candidates: [{ name: 'hangzhou-down' }, { name: 'hangzhou-lost' }],
    });
    // the smallest decides: a larger tie does not make a smaller answer ambiguous
    expect(lookupScenario([...twice, s('a', ['sh-a', 'sz-a']), s('b', ['sh-a', 'sh-b'])], ['sh-a'])).toMatchObject({
      status: 'plan',
      scenario: { name: 'sh-a-down' },
    });
  });
});
