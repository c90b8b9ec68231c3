import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeyKind as kind, type RedisKeyParams } from '../../../src/kinds/redis-key.js';
import { isStepError } from '../../../src/model/kind.js';
import { abortMidStep, expectStoppedInGrace, whileFrozen } from '../../helpers/abort-mid-step.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { runStepLife } from '../../helpers/step-life.js';

// One real redis-server standing for the config centre; each test uses its own key.
let redis: TestRedis;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
  client = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
});
afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

const params = (key: string, over: Partial<RedisKeyParams> = {}): RedisKeyParams => ({
  addr: `127.0.0.1:${redis.port}`,
  key,
  value: 'sh-a',
  ...over,
});

describe('redis.key against a real redis-server', () => {
  it('sets the key, is a skip when run again, and rollback restores the value it had', async () => {
    await client.set('mw:restore', 'hz-a');
    const life = await runStepLife(kind, params('mw:restore'));
    expect(life.before).toEqual({ value: 'hz-a' });
    expect(life.decision).toEqual({ action: 'change', desired: { value: 'sh-a' } });
    expect(life.after).toEqual({ value: 'sh-a' });
    expect(life.again?.action).toBe('noop');
    expect(life.restored).toEqual({ value: 'hz-a' });
    expect(await client.get('mw:restore')).toBe('hz-a');
    expect(life.describe).toBe(`mw:restore on 127.0.0.1:${redis.port}: "hz-a" → "sh-a"`);
  });

  it('a key that did not exist is deleted again by rollback (not left as an empty string)', async () => {
    await client.del('mw:absent');
    const life = await runStepLife(kind, params('mw:absent'));
    expect(life.before).toEqual({ value: null });
    expect(life.after).toEqual({ value: 'sh-a' });
    expect(await client.exists('mw:absent')).toBe(0);
  });

  it('publishes the new value in the same transaction as the SET, and the restored one on rollback', async () => {
    await client.set('mw:pub', 'hz-a');
    const sub = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    const reader = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    await Promise.all([sub.connect(), reader.connect()]);
    const heard: { message: string; read: Promise<string | null> }[] = [];
    // a consumer woken by the message reads the key at once
    sub.on('message', (_channel: string, message: string) => heard.push({ message, read: reader.get('mw:pub') }));
    await sub.subscribe('mw:channel');
    try {
      await runStepLife(kind, params('mw:pub', { publish: 'mw:channel' }));
      await sub.ping(); // its reply comes after every message published before it
      expect(heard.map((h) => h.message)).toEqual(['sh-a', 'hz-a']);
      // each woken read saw the value the message announced, never the one before it
      expect(await Promise.all(heard.map((h) => h.read))).toEqual(['sh-a', 'hz-a']);
    } finally {
      sub.disconnect();
      reader.disconnect();
    }
  });

  it('a key of another type fails the step, not retried, and leaves it as it was', async () => {
    await client.del('mw:list');
    await client.rpush('mw:list', 'x');
    const err = await kind.observe(params('mw:list'), makeKindContext()).catch((e: unknown) => e);
    expect(isStepError(err) && err.retryable).toBe(false);
    expect((err as Error).message).toMatch(/^mw:list holds a value that is not a string/);
    expect(await client.lrange('mw:list', 0, -1)).toEqual(['x']);
  });

  it('a wrong address form is a validate-time problem naming addr', () => {
    expect(kind.check?.(params('k', { addr: 'no-port' }))).toEqual([{ path: ['addr'], message: '"no-port" is not host:port' }]);
    expect(kind.check?.(params('k', { commandTimeout: '0s' }))[0]?.path).toEqual(['commandTimeout']);
  });
});

describe('redis.key deadlines: a frozen config centre (SIGSTOP) never holds the step past its deadline', () => {
  it('observe and apply stop within the grace once the signal aborts (a 10 min command timeout never ends them)', async () => {
    const p = params('mw:frozen', { commandTimeout: '10m' });
    const observed = await whileFrozen([redis.pid], () => abortMidStep((ctx) => kind.observe(p, ctx), { port: redis.port }));
    expectStoppedInGrace(observed);
    const applied = await whileFrozen([redis.pid], () =>
      abortMidStep((ctx) => kind.apply(p, { current: { value: null }, desired: { value: 'sh-a' } }, ctx), { port: redis.port }),
    );
    expectStoppedInGrace(applied);
  });
});
