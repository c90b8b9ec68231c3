import { durationProblem, parseDuration } from '../util/duration.js';
import { HOLDS, notYet, type Holds, type KindContext, type ParamProblem } from '../model/kind.js';
import type { RedisProbeSpec, SqlProbeSpec, Tolerance } from '../model/probe.js';
import { httpExpectProblems, httpRequestProblems } from './http-check.js';
import { checkExec, checkHttp, type ExecExpectation, type HttpExpectation } from './expect.js';
import { sendHttp, type HttpRequestParams } from './http-request.js';
import { toArgv } from './argv.js';
import { runRedisProbe } from './redis-probe.js';
import { runSqlProbe } from './sql-probe.js';

/**
 * A read-only check as written in `with:` (wait.until, rules.flip catchUp) after interpolation: a command,
 * an HTTP request, or an in-process Redis command / PostgreSQL query (no client process to start).
 */
export type ProbeParams =
  | { readonly exec: readonly unknown[]; readonly expect?: ExecExpectation; readonly timeout?: string }
  | { readonly http: HttpRequestParams; readonly expect?: HttpExpectation; readonly timeout?: string }
  | { readonly redis: RedisProbeSpec; readonly expect?: Tolerance; readonly timeout?: string }
  | { readonly sql: SqlProbeSpec; readonly expect?: Tolerance; readonly timeout?: string };

export const DEFAULT_PROBE_TIMEOUT_MS = 5000;

/** The probe's own `timeout:` (default 5s). */
export const probeTimeoutMs = (probe: ProbeParams): number =>
  (probe.timeout === undefined ? undefined : parseDuration(probe.timeout)) ?? DEFAULT_PROBE_TIMEOUT_MS;

/** Static checks of a probe in `with:` (paths relative to `at`): its timeout, its http request and expectation. */
export function probeParamProblems(raw: unknown, at: readonly (string | number)[]): ParamProblem[] {
  if (raw === null || typeof raw !== 'object') return [];
  const probe = raw as Readonly<Record<string, unknown>>;
  const timeout = typeof probe['timeout'] === 'string' ? durationProblem(probe['timeout'], { positive: true, timer: true }) : undefined;
  return [
    ...(timeout ? [{ path: [...at, 'timeout'], message: timeout }] : []),
    ...(probe['http'] === undefined
      ? []
      : [...httpRequestProblems(probe['http'], [...at, 'http']), ...httpExpectProblems(probe['expect'], [...at, 'expect'])]),
  ];
}

/** What the probe asks, in one line (a step's description). */
export function probeLabel(probe: ProbeParams): string {
  if ('exec' in probe) return probe.exec.map(String).join(' ');
  if ('http' in probe) return String(probe.http.url);
  if ('redis' in probe) return `redis ${String(probe.redis.addr)} ${probe.redis.command.map(String).join(' ')}`;
  return `sql ${String(probe.sql.host)}:${String(probe.sql.port)}`;
}

/** Run a probe once. An unreachable target is "does not hold" with the reason, not an exception. */
export async function runProbe(probe: ProbeParams, ctx: KindContext, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<Holds> {
  if ('exec' in probe) {
    const r = await ctx.exec(toArgv(probe.exec), { timeoutMs });
    if (r.spawnError) return notYet(r.spawnError);
    if (r.timedOut) return notYet(`timed out after ${timeoutMs}ms`);
    return checkExec(probe.expect, r.exitCode, r.stdout);
  }
  if ('redis' in probe || 'sql' in probe) {
    const o =
      'redis' in probe
        ? await runRedisProbe(probe.redis, probe.expect ?? {}, timeoutMs, ctx.signal)
        : await runSqlProbe(probe.sql, probe.expect ?? {}, timeoutMs, ctx.signal);
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('aborted');
    return o.kind === 'ok' ? HOLDS : notYet(o.detail);
  }
  try {
    const res = await sendHttp(probe.http, ctx.signal, timeoutMs);
    return checkHttp(probe.expect, res.status, res.body);
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    return notYet((e as Error).message);
  }
}
