import type { RedisProbeSpec, Tolerance } from '../model/probe.js';
import { parseHostPort } from '../infra/host-port.js';
import { openRedisClient } from '../infra/redis-connect.js';
import { isSecret } from '../util/secret.js';
import { toArgv } from './argv.js';
import { bounded } from './bound.js';
import { errorOutcome, failureOutcome, okOutcome, type ProbeOutcome } from './outcome.js';
import { checkTolerance } from './tolerance.js';

const reveal = (v: unknown): string => (isSecret(v) ? v.reveal() : String(v));

/** Redis replies (Buffers, nested arrays) as plain JSON. */
function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

/** Send one command with hard timeouts (no retry, no offline queue) and check the reply. */
export async function runRedisProbe(
  spec: RedisProbeSpec,
  expect: Tolerance,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ProbeOutcome> {
  const addrText = reveal(spec.addr);
  const addr = parseHostPort(addrText.trim());
  if ('problem' in addr) return errorOutcome(`bad redis addr "${addrText}" (want host:port)`);
  const [command, ...args] = toArgv(spec.command);
  if (!command) return errorOutcome('empty redis command');
  const { client, lastError: lastClientError } = await openRedisClient(
    addr,
    timeoutMs,
    spec.password === undefined ? {} : { password: reveal(spec.password) },
  );
  const lastError = (): string => {
    const e = lastClientError() as (Error & { code?: string }) | undefined;
    return e ? (e.code ?? e.message) : '';
  };
  const where = `redis ${addrText} ${command}`;
  const work = (async (): Promise<ProbeOutcome> => {
    try {
      await client.connect();
      const reply = plain(await client.call(command, ...args));
      const held = checkTolerance(expect, reply, `${command} reply`);
      return held.ok ? okOutcome(`${command} → ${JSON.stringify(reply)}`) : failureOutcome(`${where}: ${held.detail}`);
    } catch (e) {
      if ((e as Error).name === 'ReplyError') return failureOutcome(`${where}: ${(e as Error).message}`);
      const why = lastError() && (e as Error).message === 'Connection is closed.' ? lastError() : (e as Error).message;
      return errorOutcome(`${where}: ${why}`);
    }
  })();
  return bounded(work, timeoutMs, signal, where, () => client.disconnect());
}
