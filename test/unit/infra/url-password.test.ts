import { describe, expect, it } from 'vitest';
import { parseRedisUrl } from '../../../src/infra/redis-url.js';
import { parseStoreSpec } from '../../../src/state/store-url.js';

// A bad store URL is echoed in its error (exit 3): the password the user typed in it must not be.
describe('a store URL with a password, in error messages', () => {
  it.each([
    ['redis://ops:s3cret@h1:99999/0', /^--state redis:\/\/ops:\*\*\*@h1:99999\/0: port 99999/],
    ['redis://:s3cret@h1:1/x', /^--state redis:\/\/:\*\*\*@h1:1\/x: the path must be \/DB/],
    ['rediss://ops:s3cret@h1:1/1?retry=zz', /^--state rediss:\/\/ops:\*\*\*@h1:1\/1\?retry=zz: retry=zz/],
    ['etcd://ops:s3cret@h1:99999/p', /^--state etcd:\/\/ops:\*\*\*@h1:99999\/p: port 99999/],
    ['etcd:/ops:s3cret@h1:1', /^--state etcd:\/ops:\*\*\*@h1:1: not a folder or a well-formed store URL/],
  ])('%s', (url, message) => {
    let thrown: unknown;
    try {
      parseStoreSpec(url, {});
    } catch (e) {
      thrown = e;
    }
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain('s3cret');
  });

  it('the rules store names its own flag, without the password', () => {
    expect(() => parseRedisUrl('redis://ops:s3cret@h1:0', '--store')).toThrow(/^--store redis:\/\/ops:\*\*\*@h1:0: port 0/);
  });
});
