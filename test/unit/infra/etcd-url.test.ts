import { describe, expect, it } from 'vitest';
import { parseStoreSpec } from '../../../src/state/store-url.js';
import { storeUrlProblem } from '../../../src/rules/store-url.js';
import { etcdLabel, parseEtcdUrl, redactEtcdUrl } from '../../../src/infra/etcd-url.js';

// The etcd:// grammar shared by --state and rules --store (util/etcd-url.ts).
describe('etcd:// URLs', () => {
  it('members, prefix and defaults', () => {
    expect(parseEtcdUrl('etcd://h1:2379,h2:2380,[::1]:2381/estate/a/', 'drctl')).toEqual({
      endpoints: [
        { host: 'h1', port: 2379 },
        { host: 'h2', port: 2380 },
        { host: '::1', port: 2381 },
      ],
      prefix: 'estate/a',
      username: undefined,
      password: undefined,
      tls: undefined,
      timeoutMs: 2000,
      keepaliveMs: 1000,
    });
    expect(parseEtcdUrl('etcd://h1', 'drctl/rules')).toMatchObject({ endpoints: [{ host: 'h1', port: 2379 }], prefix: 'drctl/rules' });
    expect(parseEtcdUrl('etcd://h1:2379/a%2Fb?timeout=5s&keepalive=500ms', 'x')).toMatchObject({
      prefix: 'a/b',
      timeoutMs: 5000,
      keepaliveMs: 500,
    });
    // the key prefix also as the Redis URLs' query option (one grammar for every store URL)
    expect(parseEtcdUrl('etcd://h1:2379?prefix=ops/drctl', 'x')).toMatchObject({ prefix: 'ops/drctl' });
    expect(parseEtcdUrl('etcd://h1:2379/a?prefix=b', 'x')).toEqual({
      problem: 'etcd://h1:2379/a?prefix=b: the prefix is given twice (/a and ?prefix=b)',
    });
  });

  it('user and password: from the URL, or from DRCTL_ETCD_PASSWORD; a user without either is refused', () => {
    expect(parseEtcdUrl('etcd://ops:p%40ss@h1/x', 'd', {})).toMatchObject({ username: 'ops', password: 'p@ss' });
    expect(parseEtcdUrl('etcd://ops@h1/x', 'd', { DRCTL_ETCD_PASSWORD: 'from-env' })).toMatchObject({
      username: 'ops',
      password: 'from-env',
    });
    expect(parseEtcdUrl('etcd://ops@h1/x', 'd', {})).toEqual({
      problem: 'etcd://ops@h1/x: user ops has no password: put it in DRCTL_ETCD_PASSWORD (or in the URL)',
    });
  });

  it('TLS: etcds:// or any of ca/cert/key; cert and key go together', () => {
    expect(parseEtcdUrl('etcds://h1/x', 'd')).toMatchObject({ tls: { ca: undefined, cert: undefined, key: undefined } });
    expect(parseEtcdUrl('etcd://h1/x?ca=/c.pem&cert=/u.pem&key=/u.key', 'd')).toMatchObject({
      tls: { ca: '/c.pem', cert: '/u.pem', key: '/u.key' },
    });
    expect(parseEtcdUrl('etcd://h1/x?cert=/u.pem', 'd')).toEqual({
      problem: 'etcd://h1/x?cert=/u.pem: cert= and key= go together (the client certificate and its key)',
    });
  });

  it.each([
    ['etcd://h1:0/x', 'port 0 of "h1:0" is not 1-65535'],
    ['etcd://h1:2379,/x', undefined],
    ['etcd:///x', 'not an etcd URL'],
    ['etcd://h1/x?tls=1', 'unknown option tls (known: prefix, ca, cert, key, timeout, keepalive)'],
    ['etcd://h1/x?timeout=50ms', 'timeout=50ms is not a duration of at least 100ms'],
    ['etcd://h1/x?keepalive=soon', 'keepalive=soon is not a duration of at least 100ms'],
  ])('%s → %s', (url, problem) => {
    const r = parseEtcdUrl(url, 'd');
    if (problem === undefined) expect(r).not.toHaveProperty('problem');
    else expect((r as { problem: string }).problem).toContain(problem);
  });

  it('the password never shows: labels and problems', () => {
    const spec = parseEtcdUrl('etcds://ops:s3cret@h1:2379,h2:2379/p', 'd');
    expect('problem' in spec ? '' : etcdLabel(spec)).toBe('etcds://ops@h1:2379,h2:2379/p');
    expect(redactEtcdUrl('etcd://ops:s3cret@h1/p')).toBe('etcd://ops:***@h1/p');
    expect(() => parseStoreSpec('etcd://ops:s3cret@h1:99999/p')).toThrow(/^--state etcd:\/\/ops:\*\*\*@h1:99999\/p: port 99999/);
    expect(storeUrlProblem('etcd://ops:s3cret@h1/p?x=1')).toBe(
      'bad etcd URL etcd://ops:***@h1/p?x=1: unknown option x (known: prefix, ca, cert, key, timeout, keepalive)',
    );
  });

  it('--state and rules --store take the same grammar, each with its own default prefix', () => {
    expect(parseStoreSpec('etcd://h1:2379')).toMatchObject({ kind: 'etcd', etcd: { prefix: 'drctl' } });
    expect(storeUrlProblem('etcd://h1:2379')).toBeUndefined();
    expect(storeUrlProblem('etcd://h1:2379/${params.store}')).toBeUndefined();
  });
});
