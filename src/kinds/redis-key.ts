import type { Redis } from 'ioredis';
import { durationProblem, parseDuration } from '../util/duration.js';
import type { Secret } from '../util/secret.js';
import { HOLDS, notYet, stepError, type KindContext, type ParamProblem } from '../model/kind.js';
import { defineKind } from './define-kind.js';
import { hostPortProblemText, parseHostPort } from '../infra/host-port.js';
import { loadRedisClient, withRedis } from './redis-failover/client.js';

const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

export interface RedisKeyParams {
  /** The server holding the key: "host:port" (a config centre). */
  readonly addr: string;
  readonly key: string;
  /** The value the step sets (a string key). */
  readonly value: string | number | boolean;
  /** Channel to PUBLISH the new value on, in the same transaction as the SET (consumers learn at once). */
  readonly publish?: string;
  readonly password?: string | Secret;
  /** Connect and per-command time limit (default 2s): an in-process client, no process start-up inside. */
  readonly commandTimeout?: string;
}

/** The key's value; null when the key does not exist. */
export interface RedisKeyState {
  readonly value: string | null;
}

export const redisKeyKind = defineKind<RedisKeyParams, RedisKeyState>({
  name: 'redis.key',
  description:
    'Set one string key on a Redis server (a config centre) in-process, optionally publishing the new value; rollback restores the value it had (or deletes a key that did not exist).',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['addr', 'key', 'value'],
    properties: {
      addr: { type: 'string', description: 'The Redis server: host:port.' },
      key: { type: 'string', description: 'The key (a string key: another type fails the step).' },
      value: { type: ['string', 'number', 'boolean'], description: 'The value to set.' },
      publish: {
        type: 'string',
        description:
          'PUBLISH the new value on this channel in the same MULTI/EXEC as the SET (and the restored value on rollback, "" for a deleted key): subscribed consumers learn it at once instead of at their next poll.',
      },
      password: { type: 'string', description: 'AUTH password (use ${secret.NAME}).' },
      commandTimeout: { type: 'string', description: 'Connect and per-command time limit (default 2s).' },
    },
  },
  outputNames: ['value'],
  preload: loadRedisClient,
  check(p) {
    const problems: ParamProblem[] = [];
    const addr = typeof p.addr === 'string' && !p.addr.includes('${') ? parseHostPort(p.addr) : undefined;
    if (addr && 'problem' in addr) problems.push({ path: ['addr'], message: hostPortProblemText(p.addr, addr) });
    const t = p.commandTimeout;
    const problem = t === undefined || t.includes('${') ? undefined : durationProblem(t, { positive: true, timer: true });
    if (problem) problems.push({ path: ['commandTimeout'], message: problem });
    return problems;
  },
  async observe(p, ctx) {
    return { value: await onServer(p, ctx, (r) => readValue(r, p.key)) };
  },
  decide(p, current) {
    const want = String(p.value);
    if (current.value === want) return { action: 'noop', reason: `${p.key} is already ${JSON.stringify(want)}` };
    return { action: 'change', desired: { value: want } };
  },
  async apply(p, _change, ctx) {
    await onServer(p, ctx, (r) => write(r, p, String(p.value)));
  },
  holds(p, desired, current) {
    return current.value === desired.value ? HOLDS : notYet(`${p.key} is ${show(current.value)}, want ${show(desired.value)}`);
  },
  async rollback(p, change, ctx) {
    await onServer(p, ctx, (r) => write(r, p, change.desired.value));
  },
  describe(p, before, after) {
    const to = after === undefined ? String(p.value) : after.value;
    return `${p.key} on ${p.addr}: ${show(before.value)} → ${show(to)}${p.publish ? ` (published on ${p.publish})` : ''}`;
  },
  outputs: (_p, s) => ({ value: s.value }),
  verifyIntervalMs: 100,
});

const show = (v: string | null): string => (v === null ? '(no key)' : JSON.stringify(v));

function onServer<T>(p: RedisKeyParams, ctx: KindContext, fn: (r: Redis) => Promise<T>): Promise<T> {
  const timeoutMs = (p.commandTimeout === undefined ? undefined : parseDuration(p.commandTimeout)) ?? DEFAULT_COMMAND_TIMEOUT_MS;
  return withRedis({ addr: p.addr, password: p.password, timeoutMs, signal: ctx.signal }, fn);
}

async function readValue(r: Redis, key: string): Promise<string | null> {
  try {
    const v = (await r.call('GET', key)) as string | Buffer | null;
    return v === null ? null : v.toString();
  } catch (e) {
    if (/WRONGTYPE/.test((e as Error).message))
      throw stepError(`${key} holds a value that is not a string (${(e as Error).message})`, { retryable: false });
    throw e;
  }
}

/** SET (or DEL for null) and PUBLISH in one MULTI/EXEC: a subscriber woken by the message reads the new value. */
async function write(r: Redis, p: RedisKeyParams, value: string | null): Promise<void> {
  const tx = r.multi();
  if (value === null) tx.del(p.key);
  else tx.set(p.key, value);
  if (p.publish !== undefined) tx.publish(p.publish, value ?? '');
  const replies = await tx.exec();
  const failed = replies?.find(([e]) => e !== null)?.[0];
  if (replies === null || failed) throw stepError(`${p.key}: the write was refused (${failed?.message ?? 'transaction aborted'})`);
}
