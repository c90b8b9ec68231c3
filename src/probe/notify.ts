import type { Redis } from 'ioredis';
import type { Probe, RedisProbeSpec } from '../model/probe.js';
import { parseHostPort } from '../infra/host-port.js';
import { openRedisClient } from '../infra/redis-connect.js';
import { untilAborted } from '../util/abortable.js';
import type { Clock } from '../util/clock.js';
import { isSecret } from '../util/secret.js';
import type { Interpolate } from './run-once.js';

/**
 * A probe the estate can notify: a redis probe with `subscribe` listens on the same server's pub/sub
 * (Sentinel publishes +switch-master the moment it elects; a keyspace event the moment a key changes),
 * so the loop that samples it (detection) looks again on each message instead of waiting for its next
 * interval. The interval stays as a fallback: a message lost while the subscription was being made, or a
 * subscription that failed, costs at most one interval.
 */
export interface Wakeup {
  /**
   * Resolves 'message' at the next message (at once when one came since the last call), 'interval' after
   * `ms`, or 'aborted' when the signal aborts.
   */
  next(ms: number, signal: AbortSignal, clock: Clock): Promise<'message' | 'interval' | 'aborted'>;
  /** Messages received so far. */
  readonly messages: number;
  close(): void;
}

const isPattern = (channel: string): boolean => /[*?[]/.test(channel);

/** The channels a probe subscribes to (none: it is only polled). */
export function subscribedChannels(probe: Probe, interpolate: Interpolate = (v) => v): string[] {
  if (probe.type !== 'redis' || probe.redis.subscribe === undefined) return [];
  const spec = interpolate(probe.redis) as RedisProbeSpec;
  const raw = spec.subscribe;
  return (Array.isArray(raw) ? raw : [raw]).map(String).filter((c) => c !== '');
}

/**
 * Subscribe for `probe` (undefined when it cannot: not a redis probe with `subscribe`, or the server did
 * not take the subscription within the probe's timeout: the caller polls). Subscribed before it resolves,
 * so a sample taken afterwards misses no message.
 */
export async function subscribeProbe(probe: Probe, interpolate: Interpolate, signal: AbortSignal): Promise<Wakeup | undefined> {
  const channels = subscribedChannels(probe, interpolate);
  if (probe.type !== 'redis' || channels.length === 0) return undefined;
  const spec = interpolate(probe.redis) as RedisProbeSpec;
  const addr = parseHostPort(String(isSecret(spec.addr) ? spec.addr.reveal() : spec.addr).trim());
  if ('problem' in addr) return undefined;
  const password = spec.password === undefined ? undefined : String(isSecret(spec.password) ? spec.password.reveal() : spec.password);
  const { client } = await openRedisClient(addr, probe.timeoutMs, { protocol: 2, ...(password === undefined ? {} : { password }) });
  try {
    await untilAborted(
      (async () => {
        await client.connect();
        const plain = channels.filter((c) => !isPattern(c));
        const patterns = channels.filter(isPattern);
        if (plain.length > 0) await client.subscribe(...plain);
        if (patterns.length > 0) await client.psubscribe(...patterns);
      })(),
      AbortSignal.any([signal, AbortSignal.timeout(probe.timeoutMs)]),
    );
  } catch {
    client.disconnect();
    return undefined;
  }
  return wakeupOn(client);
}

function wakeupOn(client: Redis): Wakeup {
  let unseen = 0;
  let messages = 0;
  let wake: (() => void) | undefined;
  const onMessage = (): void => {
    messages += 1;
    unseen += 1;
    wake?.();
  };
  client.on('message', onMessage);
  client.on('pmessage', onMessage);
  return {
    get messages() {
      return messages;
    },
    async next(ms, signal, clock) {
      if (unseen === 0 && !signal.aborted) {
        const woken = new AbortController();
        wake = () => woken.abort();
        await clock.sleep(ms, AbortSignal.any([signal, woken.signal])).catch(() => undefined);
        wake = undefined;
      }
      if (unseen > 0) {
        unseen = 0;
        return 'message';
      }
      return signal.aborted ? 'aborted' : 'interval';
    },
    close() {
      wake = undefined;
      client.disconnect();
    },
  };
}
