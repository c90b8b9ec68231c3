import type { Probe, RedisProbeSpec, SqlProbeSpec } from '../model/probe.js';
import type { KindContext } from '../model/kind.js';
import { toArgv } from './argv.js';
import { checkExec, checkHttp } from './expect.js';
import { sendHttp, type HttpRequestParams } from './http-request.js';
import { errorOutcome, failureOutcome, okOutcome, type ProbeOutcome } from './outcome.js';
import { runRedisProbe } from './redis-probe.js';
import { runSqlProbe } from './sql-probe.js';

export type Interpolate = (value: unknown) => unknown;
const identity: Interpolate = (v) => v;

/**
 * Sample a runbook probe once (exec, http, redis, sql), its `${...}` resolved by `interpolate`.
 * Never throws for an unreachable target: that is an `error` outcome; a wrong answer is `failure`.
 * Throws only when ctx.signal is aborted.
 */
export async function runProbeOnce(probe: Probe, ctx: KindContext, interpolate: Interpolate = identity): Promise<ProbeOutcome> {
  const outcome = await sample(probe, ctx, interpolate);
  if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('aborted');
  return outcome;
}

async function sample(probe: Probe, ctx: KindContext, interpolate: Interpolate): Promise<ProbeOutcome> {
  try {
    switch (probe.type) {
      case 'exec': {
        const r = await ctx.exec(toArgv(interpolate(probe.exec) as unknown[]), { timeoutMs: probe.timeoutMs });
        if (r.spawnError) return errorOutcome(r.spawnError);
        if (r.timedOut) return errorOutcome(`timed out after ${probe.timeoutMs}ms`);
        const held = checkExec(probe.expect, r.exitCode, r.stdout);
        return held.ok ? okOutcome() : failureOutcome(held.detail);
      }
      case 'http': {
        let res: { status: number; body: string };
        try {
          res = await sendHttp(interpolate(probe.http) as HttpRequestParams, ctx.signal, probe.timeoutMs);
        } catch (e) {
          return errorOutcome((e as Error).message);
        }
        const held = checkHttp(probe.expect, res.status, res.body);
        return held.ok ? okOutcome(`HTTP ${res.status}`) : failureOutcome(held.detail);
      }
      case 'redis':
        return await runRedisProbe(interpolate(probe.redis) as RedisProbeSpec, probe.expect, probe.timeoutMs, ctx.signal);
      case 'sql':
        return await runSqlProbe(interpolate(probe.sql) as SqlProbeSpec, probe.expect, probe.timeoutMs, ctx.signal);
    }
  } catch (e) {
    return errorOutcome((e as Error).message);
  }
}
