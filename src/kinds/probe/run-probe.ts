import { notYet, type Holds, type KindContext } from '../types.js';
import { checkExec, checkHttp, type ExecExpectation, type HttpExpectation } from './expect.js';
import { sendHttp, type HttpRequestParams } from './http-request.js';
import { toArgv } from './argv.js';

/** A read-only check as written in `with:` (wait.until) after interpolation. */
export type ProbeParams =
  | { readonly exec: readonly unknown[]; readonly expect?: ExecExpectation; readonly timeout?: string }
  | { readonly http: HttpRequestParams; readonly expect?: HttpExpectation; readonly timeout?: string };

export const DEFAULT_PROBE_TIMEOUT_MS = 5000;

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
