import { describe, expect, it } from 'vitest';
import { formatHostPort, hostPortProblemText, parseHostPort } from '../../../src/infra/host-port.js';
import { serverAddr } from '../../../src/kinds/dns-record/query.js';
import { splitAddr } from '../../../src/kinds/redis-failover/client.js';

describe('parseHostPort: the one reading of an address', () => {
  it('host:port, [IPv6]:port, a default port when allowed', () => {
    expect(parseHostPort('127.0.0.1:7001')).toEqual({ host: '127.0.0.1', port: 7001 });
    expect(parseHostPort('[::1]:26379')).toEqual({ host: '::1', port: 26379 });
    expect(parseHostPort('redis-a', 6379)).toEqual({ host: 'redis-a', port: 6379 });
  });

  it('says why not: the form (no port where one is needed, an unclosed bracket) or the port range', () => {
    expect(parseHostPort('nohostport')).toEqual({ problem: 'form' });
    expect(parseHostPort('[::1:6379', 6379)).toEqual({ problem: 'form' });
    expect(parseHostPort('h:99999')).toEqual({ problem: 'port', portText: '99999' });
    expect(parseHostPort('h:0', 6379)).toEqual({ problem: 'port', portText: '0' });
    expect(hostPortProblemText('h:99999', { problem: 'port', portText: '99999' })).toBe('"h:99999": port 99999 is not 1-65535');
    expect(hostPortProblemText('nohostport', { problem: 'form' })).toBe('"nohostport" is not host:port');
  });

  it('formats back what it reads: IPv6 in brackets', () => {
    expect(formatHostPort({ host: '::1', port: 6379 })).toBe('[::1]:6379');
    expect(formatHostPort({ host: '127.0.0.1', port: 6379 })).toBe('127.0.0.1:6379');
    expect(parseHostPort(formatHostPort({ host: '::1', port: 6379 }))).toEqual({ host: '::1', port: 6379 });
  });

  it('the kinds read [::1]:port without its brackets (it passed validate, then failed at run time)', () => {
    expect(splitAddr('[::1]:6379')).toEqual({ host: '::1', port: 6379 });
    expect(serverAddr('[::1]:5353')).toEqual({ host: '::1', port: 5353 });
    expect(serverAddr('127.0.0.1')).toEqual({ host: '127.0.0.1', port: 53 });
    expect(() => splitAddr('[::1]')).toThrow('bad redis address "[::1]": want host:port');
  });
});
