import { durationProblem, parseDuration } from '../util/duration.js';
import { notYet, type Holds, type KindContext, type ParamProblem } from '../model/kind.js';
import { httpExpectProblems, httpRequestProblems } from './http-check.js';
import { checkExec, checkHttp, type ExecExpectation, type HttpExpectation } from './expect.js';
import { sendHttp, type HttpRequestParams } from './http-request.js';
import { toArgv } from './argv.js';

/** A read-only check as written in `with:` (wait.until) after interpolation. */
export type ProbeParams =
  | { readonly exec: readonly unknown[]; readonly expect?: ExecExpectation; readonly timeout?: string }
  | { readonly http: HttpRequestParams; readonly expect?: HttpExpectation; readonly timeout?: string };

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

/** Run a probe once. An unreachable target is "does not hold" with the reason, not an exception. */
export async function runProbe(probe: ProbeParams, ctx: KindContext, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<Holds> {
  if ('exec' in probe) {
    const r = await ctx.exec(toArgv(probe.exec), { timeoutMs });
    if (r.spawnError) return notYet(r.spawnError);
    if (r.timedOut) return notYet(`timed out after ${timeoutMs}ms`);
    return checkExec(probe.expect, r.exitCode, r.stdout);
  }
  try {
    const res = await sendHttp(probe.http, ctx.signal, timeoutMs);
    return checkHttp(probe.expect, res.status, res.body);
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    return notYet((e as Error).message);
  }
}
