import type { Redis } from 'ioredis';
import { usageError } from '../util/errors.js';
import { connectRedis } from '../infra/redis-connect.js';
import { parseRedisUrl, redisLabel, type RedisSpec } from '../infra/redis-url.js';
import { RULES_STORE_FORMS, storeUrlProblem } from './store-url.js';
import type { RuleStore, RuleChange, Subscription } from './store.js';
import { CHANGE_KINDS } from './store.js';
import { createOrderedDelivery } from './ordered-delivery.js';
import { storeUnavailable } from './store-errors.js';
import { parseVersionDocument, toVersionDocument } from './version-document.js';

/** Keys of a rules store start with this when the URL names no ?prefix=P. */
export const DEFAULT_REDIS_PREFIX = 'drctl:rules:';

/**
 * Compare-and-set in one script: write version expected+1 only if the current version is `expected`,
 * keep it in the history hash, and publish the change — atomically, so subscribers see versions in
 * order and two writers can never both win. Returns {1, newVersion} or {0, currentVersion}.
 */
const CAS_SCRIPT = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur ~= tonumber(ARGV[1]) then return {0, cur} end
local nv = cur + 1
redis.call('SET', KEYS[1], nv)
redis.call('HSET', KEYS[2], tostring(nv), ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return {1, nv}`;

/** Current version and its document in one atomic read. */
const READ_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if not v then return false end
return redis.call('HGET', KEYS[2], v)`;

/**
 * Rules in Redis under a prefix P (default drctl:rules:): Pversion (integer), Pversions (hash version →
 * JSON), channel Pchanges ({version, kind, atIso} on every change). The URL is the one Redis grammar
 * (infra/redis-url.ts): redis://host:port[/DB][?prefix=P], endpoint lists and Sentinel included, and the
 * connection is the state store's (connectRedis: the first primary, a bounded reconnect window).
 */
export async function openRedisStore(url: string): Promise<RuleStore> {
  const spec = parseRulesRedisUrl(url);
  const prefix = spec.prefix ?? DEFAULT_REDIS_PREFIX;
  const label = `${redisLabel(spec)}?prefix=${prefix}`;
  const keys = { version: `${prefix}version`, versions: `${prefix}versions`, channel: `${prefix}changes` };
  const client = await connectRedis(spec).catch((e: unknown) => {
    throw new Error(`cannot reach rules store ${label}: ${(e as Error).message}`, { cause: e });
  });
  const subscribers = new Set<Redis>();

  /** A failing server (timeout, lost connection) is one line naming the store, not a stack. */
  const call = <T>(fn: () => Promise<T>): Promise<T> =>
    fn().catch((e: unknown) => {
      throw (e as { drctl?: boolean }).drctl ? e : storeUnavailable(label, e);
    });
  const readVersion = (version: number) =>
    call(async () => {
      const json = await client.hget(keys.versions, String(version));
      return json === null ? undefined : parseVersionDocument(json, label);
    });
  const store: RuleStore = {
    label,
    read: () =>
      call(async () => {
        const json = (await client.eval(READ_SCRIPT, 2, keys.version, keys.versions)) as string | null;
        return json === null ? undefined : parseVersionDocument(json, label);
      }),
    readVersion,
    compareAndSet: (expected, next) =>
      call(async () => {
        const atIso = new Date().toISOString();
        const doc = JSON.stringify(toVersionDocument(expected + 1, next, atIso));
        const message = JSON.stringify({ version: expected + 1, kind: next.kind, atIso } satisfies RuleChange);
        const [won, version] = (await client.eval(
          CAS_SCRIPT,
          2,
          keys.version,
          keys.versions,
          String(expected),
          doc,
          keys.channel,
          message,
        )) as [number, number];
        return won === 1 ? { ok: true, version } : { ok: false, reason: 'conflict', currentVersion: version };
      }),
    async subscribe(onChange, onError = () => undefined): Promise<Subscription> {
      const sub = await connectDuplicate(client.duplicate(), label);
      subscribers.add(sub);
      sub.on('end', () => {
        if (subscribers.has(sub)) onError(new Error(`${label}: subscription connection closed`));
      });
      await sub.subscribe(keys.channel);
      // Subscribed first, then read the version: every later version is delivered, none is missed.
      const start = Number((await client.get(keys.version)) ?? 0);
      const deliver = createOrderedDelivery({ readVersion }, Promise.resolve(start), onChange, onError);
      sub.on('message', (_channel: string, text: string) => {
        const change = parseChange(text);
        if (change) void deliver(change.version, change);
      });
      return {
        async close() {
          subscribers.delete(sub);
          sub.disconnect();
        },
      };
    },
    async close() {
      for (const s of subscribers) s.disconnect();
      subscribers.clear();
      client.disconnect();
    },
  };
  return store;
}

/** The one Redis URL grammar; anything unparsable is a usage error (exit 3). */
function parseRulesRedisUrl(url: string): RedisSpec {
  const problem = storeUrlProblem(url);
  if (problem) throw usageError(problem, `use ${RULES_STORE_FORMS}`);
  return parseRedisUrl(url, 'rules store');
}

/** The subscriber's own connection (a duplicate of the store's). */
async function connectDuplicate(redis: Redis, label: string): Promise<Redis> {
  let lastError: Error | undefined;
  redis.on('error', (e: Error) => {
    lastError = e;
  });
  try {
    await redis.connect();
    return redis;
  } catch (e) {
    redis.disconnect();
    const why = lastError?.message ?? (e as Error).message;
    throw new Error(`cannot reach rules store ${label}: ${why}`, { cause: e });
  }
}

function parseChange(text: string): RuleChange | undefined {
  try {
    const c = JSON.parse(text) as RuleChange;
    return Number.isInteger(c.version) && CHANGE_KINDS.includes(c.kind) ? c : undefined;
  } catch {
    return undefined;
  }
}
