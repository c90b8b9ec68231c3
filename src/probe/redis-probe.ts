import type { RedisProbeSpec, Tolerance } from '../model/probe.js';
import { formatHostPort, parseHostPort, type HostPort } from '../infra/host-port.js';
import { openRedisClient, type RedisConnection } from '../infra/redis-connect.js';
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
  const master = spec.master === undefined ? undefined : reveal(spec.master);
  const opened: RedisConnection[] = [];
  let closed = false; // bounded() has given up and closed what was opened: open nothing more
  const open = async (at: HostPort, password: unknown): Promise<RedisConnection> => {
    const c = await openRedisClient(at, timeoutMs, password === undefined ? {} : { password: reveal(password) });
    if (closed) throw new Error('the probe ended'); // never connected: nothing to close
    opened.push(c);
    return c;
  };
  const failed = (where: string, e: unknown, c: RedisConnection): ProbeOutcome => {
    if ((e as Error).name === 'ReplyError') return failureOutcome(`${where}: ${(e as Error).message}`);
    const last = c.lastError() as (Error & { code?: string }) | undefined;
    const why = last && (e as Error).message === 'Connection is closed.' ? (last.code ?? last.message) : (e as Error).message;
    return errorOutcome(`${where}: ${why}`);
  };
  const where = master === undefined ? `redis ${addrText} ${command}` : `redis ${master} (sentinel ${addrText}) ${command}`;
  let asking = master === undefined ? where : `sentinel ${addrText} get-master-addr-by-name ${master}`; // what a timeout names
  const work = (async (): Promise<ProbeOutcome> => {
    let target = addr;
    if (master !== undefined) {
      // the master a Sentinel client would be given now, then the command there
      const sentinel = await open(addr, spec.sentinelPassword);
      try {
        await sentinel.client.connect();
        const named = plain(await sentinel.client.call('SENTINEL', 'get-master-addr-by-name', master));
        if (!Array.isArray(named) || named.length < 2) return failureOutcome(`sentinel ${addrText} names no master for ${master}`);
        target = { host: String(named[0]), port: Number(named[1]) };
      } catch (e) {
        return failed(`sentinel ${addrText} get-master-addr-by-name ${master}`, e, sentinel);
      }
    }
    const at = master === undefined ? where : `${where} at ${formatHostPort(target)}`;
    asking = at;
    const node = await open(target, spec.password);
    try {
      await node.client.connect();
      const reply = plain(await node.client.call(command, ...args));
      const held = checkTolerance(expect, reply, `${command} reply`);
      return held.ok
        ? okOutcome(`${master === undefined ? '' : `${master} at ${formatHostPort(target)}: `}${command} → ${JSON.stringify(reply)}`)
        : failureOutcome(`${at}: ${held.detail}`);
    } catch (e) {
      return failed(at, e, node);
    }
  })();
  return bounded(
    work,
    timeoutMs,
    signal,
    () => asking,
    () => {
      closed = true;
      for (const c of opened) c.client.disconnect();
    },
  );
}
