import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { openRedisClient } from '../../../src/infra/redis-connect.js';
import { freePort } from '../../helpers/free-port.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** Bytes waiting unread in the receive queue of our loopback TCP socket on `localPort` (/proc/net/tcp). */
function unreadBytes(localPort: number): number {
  const want = `:${localPort.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1]?.endsWith(want)) return parseInt(f[4]?.split(':')[1] ?? '0', 16);
  }
  return 0;
}

/** Block this process's event loop (as SIGSTOP or a starved CPU would) until `until` says so. */
function stallUntil(until: () => boolean): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (!until()) Atomics.wait(cell, 0, 0, 10);
}

async function server(): Promise<TestRedis> {
  const r = await startRedis();
  cleanups.push(() => r.stop());
  return r;
}

describe('a Redis command time limit counts the server silence, not drctl stalling', () => {
  test('stalled past the limit with the reply already in the socket: the command succeeds', async () => {
    const r = await server();
    const { client } = await openRedisClient({ host: '127.0.0.1', port: r.port }, 300);
    cleanups.push(() => void client.disconnect());
    await client.connect();
    const localPort = client.stream.localPort ?? 0;
    const started = performance.now();
    const reply = client.ping();
    // the limit passes and the server's answer is known to be in our socket before the loop runs again
    stallUntil(() => performance.now() - started > 600 && unreadBytes(localPort) > 0);
    await expect(reply).resolves.toBe('PONG');
  });

  test('a server that is silent still times the command out', async () => {
    const r = await server();
    const { client } = await openRedisClient({ host: '127.0.0.1', port: r.port }, 300);
    cleanups.push(() => void client.disconnect());
    await client.connect();
    process.kill(r.pid, 'SIGSTOP');
    cleanups.push(() => void process.kill(r.pid, 'SIGCONT'));
    await expect(client.ping()).rejects.toThrow('Command timed out');
  });
});

describe('closing a client whose connection was refused', () => {
  test("arms no timer (ioredis kept a refused probe's CLI alive 2 s after its last line)", async () => {
    const port = await freePort(); // nothing listens: the connection is refused
    const { client } = await openRedisClient({ host: '127.0.0.1', port }, 2000);
    await expect(client.connect()).rejects.toThrow();
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    client.disconnect();
    expect(timers()).toBe(before);
  });
});
