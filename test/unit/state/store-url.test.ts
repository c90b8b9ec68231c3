import { describe, expect, it } from 'vitest';
import { parseStoreSpec, specLabel } from '../../../src/state/store-url.js';
import { parseRedisUrl } from '../../../src/infra/redis-url.js';
import { storeUrlProblem } from '../../../src/rules/store-url.js';

describe('--state URL forms', () => {
  it('a plain value is a folder', () => {
    expect(parseStoreSpec('.drctl')).toEqual({ kind: 'file', dir: '.drctl' });
    expect(parseStoreSpec('/var/lib/drctl')).toEqual({ kind: 'file', dir: '/var/lib/drctl' });
  });

  it('redis://host:port[/db][?prefix=]', () => {
    expect(parseStoreSpec('redis://10.0.0.1:6380/2?prefix=prod:')).toMatchObject({
      kind: 'redis',
      endpoints: [{ host: '10.0.0.1', port: 6380 }],
      db: 2,
      prefix: 'prod:',
    });
    expect(parseStoreSpec('redis://r1')).toMatchObject({ endpoints: [{ host: 'r1', port: 6379 }], db: 0, prefix: 'drctl:' });
    expect(parseStoreSpec('redis://user:p%40ss@r1:1')).toMatchObject({ username: 'user', password: 'p@ss' });
  });

  it('a list of endpoints, tried in order', () => {
    const s = parseStoreSpec('redis://a:1,b:2,[::1]:3/1');
    expect(s).toMatchObject({
      kind: 'redis',
      endpoints: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2 },
        { host: '::1', port: 3 },
      ],
      db: 1,
    });
    expect(specLabel(s)).toBe('redis://a:1,b:2,[::1]:3/1');
  });

  it('redis+sentinel://h1:p1,h2:p2/MASTER[/db]', () => {
    expect(parseStoreSpec('redis+sentinel://s1:26379,s2/mymaster/3?prefix=x:')).toMatchObject({
      kind: 'sentinel',
      endpoints: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      masterName: 'mymaster',
      db: 3,
      prefix: 'x:',
    });
  });

  it('bad forms are usage errors (exit 3) with the expected form', () => {
    const forms = ['redis+sentinel://s1:26379', 'redis://a:1/notanumber', 'redis://a:x', 'mongodb://x'];
    // a port out of range, an unclosed IPv6 bracket, no host at all
    const endpoints = ['redis://127.0.0.1:99999', 'redis://127.0.0.1:0', 'redis://[bad', 'redis://[::1:6379', 'redis://,/0'];
    for (const bad of [...forms, ...endpoints]) {
      expect(() => parseStoreSpec(bad), bad).toThrow(expect.objectContaining({ exitCode: 3 }));
    }
  });
});

describe('a value that starts like a URL is never a folder', () => {
  it('etcd:/x, redis:x, etcds:, rediss:, http://, unknown schemes: exit 3 naming --state and the forms; ./a:b stays a folder', () => {
    for (const bad of [
      'etcd:/127.0.0.1:27172',
      'redis:/127.0.0.1:6379',
      'redis:x',
      'etcds:',
      'rediss:',
      'http://127.0.0.1:2379',
      'consul:x',
    ]) {
      expect(() => parseStoreSpec(bad, {}), bad).toThrow(
        expect.objectContaining({
          exitCode: 3,
          message: `--state ${bad}: not a folder or a well-formed store URL`,
          hint: expect.stringContaining('etcd://HOST:PORT'),
        }),
      );
    }
    expect(parseStoreSpec('./a:b', {})).toEqual({ kind: 'file', dir: './a:b' });
  });

  it('names DRCTL_STATE when the value came from it', () => {
    expect(() => parseStoreSpec('etcd:/x', { DRCTL_STATE: 'etcd:/x' })).toThrow(
      expect.objectContaining({ exitCode: 3, message: 'DRCTL_STATE=etcd:/x: not a folder or a well-formed store URL' }),
    );
  });
});

describe('one Redis URL grammar for --state and for rules stores', () => {
  it('/N is the database and ?prefix=P the key prefix in both (it was a key prefix for rules stores)', () => {
    expect(parseStoreSpec('redis://h:1/2?prefix=p:')).toMatchObject({ db: 2, prefix: 'p:' });
    expect(parseRedisUrl('redis://h:1/2?prefix=p:', '--store')).toMatchObject({ endpoints: [{ host: 'h', port: 1 }], db: 2, prefix: 'p:' });
    expect(storeUrlProblem('redis://h:1/2?prefix=p:')).toBeUndefined();
    expect(storeUrlProblem('redis+sentinel://s1:26379,s2:26379/mymaster')).toBeUndefined();
    expect(storeUrlProblem('redis://h:1/myprefix')).toBe('rules store redis://h:1/myprefix: the path must be /DB (a database number)');
    expect(storeUrlProblem('file:rules.json')).toBeUndefined();
    expect(storeUrlProblem('${params.store}')).toBeUndefined();
  });
});
