import { describe, expect, it } from 'vitest';
import { parseHostPort } from '../../../src/util/host-port.js';

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
  });
});
