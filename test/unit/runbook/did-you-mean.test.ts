import { expect, test } from 'vitest';
import { didYouMean, editDistance } from '../../../src/util/did-you-mean.js';

test('editDistance', () => {
  expect(editDistance('kitten', 'sitting')).toBe(3);
  expect(editDistance('', 'abc')).toBe(3);
  expect(editDistance('same', 'same')).toBe(0);
  expect(editDistance('kidn', 'kind')).toBe(1);
});

test('didYouMean suggests close names only', () => {
  expect(didYouMean('tiemout', ['timeout', 'retries'])).toBe('timeout');
  expect(didYouMean('redis.failovr', ['exec', 'redis.failover'])).toBe('redis.failover');
  expect(didYouMean('Timeout', ['timeout'])).toBe('timeout');
  expect(didYouMean('xyz', ['timeout', 'retries'])).toBeUndefined();
});
