import type { Redis } from 'ioredis';
import { loadIoredis, openRedisClient } from '../../infra/redis-connect.js';
import { formatHostPort, parseHostPort, type HostPort } from '../../infra/host-port.js';
import { untilAborted } from '../../util/abortable.js';
import { isSecret, type Secret } from '../../util/secret.js';
import { stepError } from '../../model/kind.js';

export interface RedisTarget {
  /** "host:port" */
  readonly addr: string;
  readonly password?: string | Secret | undefined;
  /** Connect and per-command timeout. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Told when a password is configured but the server requires none (AUTH was not needed). */
  readonly onPasswordUnused?: (addr: string) => void;
}

/** host:port or [IPv6]:port (brackets removed); a bad one fails the step (not retryable). */
export function splitAddr(addr: string): HostPort {
  const e = parseHostPort(addr);
  if ('problem' in e) throw stepError(`bad redis address "${addr}": want host:port`, { retryable: false });
  return e;
}

/** ioredis, imported on first use (or by the kind's preload): validate and other kinds never pay for it. */
export const loadRedisClient = loadIoredis;

/**
 * Open a connection that can never hang a CLI (infra/redis-connect.ts openRedisClient); closed in
 * finally and on abort.
 * Errors become one-line StepErrors naming the server. The password is not given to ioredis (which
 * sends AUTH in its handshake, turns a refusal into "Connection is closed" and console.warns when the
 * server has no password): AUTH is the first command, so a wrong password fails as an authentication
 * error (not retryable, never "unreachable"), and a password the server does not need is reported.
 */
export async function withRedis<T>(t: RedisTarget, fn: (r: Redis) => Promise<T>): Promise<T> {
  const endpoint = splitAddr(t.addr);
  const password = isSecret(t.password) ? t.password.reveal() : t.password;
  const { client: r, lastError } = await openRedisClient(endpoint, t.timeoutMs, { protocol: 2 });
  // the signal ends the call at once: ioredis's disconnect() waits for a frozen server's side of the
  // close (up to its disconnectTimeout) before it fails the commands in flight
  const cancelled = (): Error => stepError(`redis ${t.addr}: cancelled`, { cause: t.signal.reason });
  try {
    try {
      await untilAborted(r.connect(), t.signal);
    } catch (e) {
      if (t.signal.aborted) throw cancelled();
      throw stepError(`redis ${t.addr}: unreachable (${describeError(lastError() ?? e)})`);
    }
    try {
      return await untilAborted(
        (async () => {
          if (password !== undefined) await authenticate(r, t, password);
          return fn(r);
        })(),
        t.signal,
      );
    } catch (e) {
      if (t.signal.aborted) throw cancelled();
      if (isStep(e)) throw e;
      throw toStepError(t.addr, lastError() ?? e);
    }
  } finally {
    r.disconnect();
  }
}

/** AUTH; a server without a password says so (not an error: reported through onPasswordUnused). */
async function authenticate(r: Redis, t: RedisTarget, password: string): Promise<void> {
  try {
    await r.call('AUTH', password);
  } catch (e) {
    if (/no password is set|without any password configured/i.test(describeError(e))) {
      t.onPasswordUnused?.(t.addr);
      return;
    }
    throw e;
  }
}

const isStep = (e: unknown): boolean => typeof e === 'object' && e !== null && (e as { stepError?: unknown }).stepError === true;

function toStepError(addr: string, e: unknown): Error {
  const msg = describeError(e);
  if (/NOAUTH/i.test(msg)) {
    return stepError(`redis ${addr}: authentication failed: the server requires a password and none is configured (${msg})`, {
      retryable: false,
    });
  }
  if (/WRONGPASS|invalid password|invalid username/i.test(msg)) {
    return stepError(`redis ${addr}: authentication failed (${msg}): check the password`, { retryable: false });
  }
  if (/timed out|timeout/i.test(msg)) return stepError(`redis ${addr}: no answer (${msg})`);
  return stepError(`redis ${addr}: ${msg}`);
}

export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}

/** ROLE → our view of a node. */
export interface RoleReply {
  readonly role: 'master' | 'replica' | 'sentinel' | 'other';
  /** For a replica: its master's "host:port" and link state (connected/connecting/sync/handshake). */
  readonly masterAddr?: string;
  readonly link?: string;
  readonly offset?: number;
  /** For a master: its replicas' "host:port". */
  readonly replicas?: readonly string[];
}

export async function readRole(r: Redis): Promise<RoleReply> {
  const reply = (await r.call('ROLE')) as unknown[];
  const kind = String(reply[0]);
  if (kind === 'master') {
    const reps = (reply[2] as unknown[][] | undefined) ?? [];
    return {
      role: 'master',
      offset: Number(reply[1]),
      replicas: reps.map((x) => formatHostPort({ host: String(x[0]), port: Number(x[1]) })),
    };
  }
  if (kind === 'slave') {
    return {
      role: 'replica',
      masterAddr: formatHostPort({ host: String(reply[1]), port: Number(reply[2]) }),
      link: String(reply[3]),
      offset: Number(reply[4]),
    };
  }
  return { role: kind === 'sentinel' ? 'sentinel' : 'other' };
}

/** A flat [k, v, k, v] reply (SENTINEL MASTER / REPLICAS entries) as a record. */
export function flatToRecord(flat: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}
