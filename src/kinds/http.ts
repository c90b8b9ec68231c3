import { defineKind } from './define-kind.js';
import { checkHttp, type HttpExpectation } from '../probe/expect.js';
import { displayUrl, sendHttp, type HttpRequestParams } from '../probe/http-request.js';
import { httpRequestSchema } from '../probe/schema.js';
import { HOLDS, notYet, stepError, type KindContext } from '../model/kind.js';
import { durationProblem, parseDuration } from '../util/duration.js';
import { httpCallProblems } from '../probe/http-check.js';

type Req = HttpRequestParams & { readonly expect?: HttpExpectation };

interface HttpParams {
  /** Read-only request: the step is already done when its expectations hold. */
  readonly observe?: Req;
  readonly request: Req;
  readonly rollback?: Req;
  readonly requestTimeout?: string;
}

interface HttpState {
  readonly done: boolean | null;
  readonly status?: number;
  readonly body?: string;
}

export const httpKind = defineKind<HttpParams, HttpState>({
  name: 'http',
  description: 'Send an HTTP request (LB/DNS/DB APIs, health endpoints) with expectations on status and JSON.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['request'],
    properties: {
      observe: { ...httpRequestSchema, description: 'Read-only request: already done when its expect holds.' },
      request: httpRequestSchema,
      rollback: httpRequestSchema,
      requestTimeout: { type: 'string', description: 'Timeout of one request (default 10s).' },
    },
  },
  outputNames: ['status', 'body'],
  check(p) {
    const timeout = p.requestTimeout === undefined ? undefined : durationProblem(p.requestTimeout, { positive: true, timer: true });
    return [
      ...(['observe', 'request', 'rollback'] as const).flatMap((key) => httpCallProblems(p[key], [key])),
      ...(timeout ? [{ path: ['requestTimeout'], message: timeout }] : []),
    ];
  },
  async observe(p, ctx) {
    if (!p.observe) return { done: null };
    const res = await send(p, p.observe, ctx);
    return { done: checkHttp(p.observe.expect, res.status, res.body).ok, status: res.status, body: res.body };
  },
  decide(_p, current) {
    return current.done === true ? { action: 'noop', reason: 'already done' } : { action: 'change', desired: { done: true } };
  },
  async apply(p, _change, ctx) {
    await mustHold(p, p.request, 'request', ctx);
  },
  holds(_p, desired, current) {
    if (current.done === null || current.done === desired.done) return HOLDS;
    return notYet(`observe request: HTTP ${current.status ?? '?'}, expectations ${desired.done ? 'not yet met' : 'still met'}`);
  },
  async rollback(p, _change, ctx) {
    if (!p.rollback) throw stepError('no rollback request', { retryable: false });
    await mustHold(p, p.rollback, 'rollback', ctx);
  },
  reversible: (p) => p.rollback !== undefined,
  observable: (p) => p.observe !== undefined,
  describe(p, before, after) {
    if (before.done === true && after !== undefined && after.done !== true)
      return `undo: ${p.rollback?.method ?? 'POST'} ${displayUrl(p.rollback?.url)}`;
    if (before.done === true) return `already done (${displayUrl(p.observe?.url)})`;
    return `${p.request.method ?? ((p.request.json ?? p.request.body) ? 'POST' : 'GET')} ${displayUrl(p.request.url)}`;
  },
  outputs: (_p, s) => ({ status: s.status ?? null, body: s.body ?? '' }),
});

function send(p: HttpParams, req: Req, ctx: KindContext) {
  return sendHttp(req, ctx.signal, parseDuration(p.requestTimeout ?? '10s') ?? 10_000);
}

async function mustHold(p: HttpParams, req: Req, phase: string, ctx: KindContext): Promise<void> {
  const res = await send(p, req, ctx);
  const held = checkHttp(req.expect, res.status, res.body);
  if (!held.ok) throw stepError(`${phase} ${displayUrl(req.url)}: ${held.detail}`, { retryable: res.status >= 500 || res.status === 429 });
}
