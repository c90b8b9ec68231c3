import type { Redis } from 'ioredis';
import { isDrctlError } from '../util/errors.js';
import { StoreUnreachable } from './errors.js';

const WAIT_TIMEOUT_MS = 1_000;
const POLL_MS = 20;

export interface RedisIO {
  /**
   * Run a store operation. Any failure to talk to Redis becomes StoreUnreachable (our own errors pass
   * through). While the client reconnects (a blip, a failover) the operation waits up to the retry
   * window and runs again — an `idempotent` one after any connection error, another only when it
   * certainly was not executed (not sent, or refused by a demoted primary).
   */
  run<T>(fn: () => Promise<T>, o?: { readonly idempotent?: boolean }): Promise<T>;
  /**
   * After a write that must survive a failover (fence counter, lock, journal): WAIT until a replica
   * has it. Explicit `replicas=N`: N must acknowledge. Default: 1 when the primary has replicas, none
   * when it has none (then no replica can be promoted without first copying the write).
   */
  replicated(): Promise<void>;
}

export function createRedisIO(client: Redis, label: string, retryMs: number, replicas: number | undefined): RedisIO {
  let connectedReplicas: Promise<number> | undefined;
  const countReplicas = (): Promise<number> => {
    connectedReplicas = client.info('replication').then(
      (text) => Number(/connected_slaves:(\d+)/.exec(text)?.[1] ?? 0),
      () => 0,
    );
    return connectedReplicas;
  };
  client.on('ready', () => void countReplicas()); // a new primary after a failover may have other replicas
  const waitReady = async (deadline: number): Promise<boolean> => {
    while (client.status !== 'ready') {
      if (client.status === 'end' || Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return true;
  };
  const run = async <T>(fn: () => Promise<T>, o: { readonly idempotent?: boolean } = {}): Promise<T> => {
    const deadline = Date.now() + retryMs;
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        if (isDrctlError(e)) throw e;
        const again = retryable(e, o.idempotent ?? true) && (await waitReady(deadline));
        if (!again) throw new StoreUnreachable(label, e);
      }
    }
  };
  return {
    run,
    replicated: async () => {
      const required = replicas ?? Math.min(1, await (connectedReplicas ?? countReplicas()));
      if (required === 0) return;
      const acked = Number(await client.call('WAIT', required, WAIT_TIMEOUT_MS));
      if (acked >= required) return;
      if (replicas === undefined && (await countReplicas()) === 0) return; // the replicas went away: nothing left to lose the write to
      throw new StoreUnreachable(
        label,
        new Error(
          `the write was acknowledged by ${acked} of ${required} replica(s) within ${WAIT_TIMEOUT_MS} ms: a failover now could lose it`,
        ),
        'check the replicas of the state store (or lower ?replicas= in --state)',
      );
    },
  };
}

/** Connection trouble (retry once the client is back), or a reply Redis really meant (never retried)? */
function retryable(e: unknown, idempotent: boolean): boolean {
  const message = (e as Error)?.message ?? '';
  const refused = /^(READONLY|LOADING|MASTERDOWN|TRYAGAIN)\b/.test(message);
  if ((e as Error)?.name === 'ReplyError' && !refused) return false;
  const notSent = refused || message.includes("Stream isn't writeable");
  return idempotent || notSent;
}
