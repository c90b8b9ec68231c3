import { timerDelay } from '../util/duration.js';
import { isSecret, revealDeep } from '../util/secret.js';
import { stepError } from '../model/kind.js';

export interface HttpRequestParams {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly body?: unknown;
  readonly json?: unknown;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** One HTTP request, cancelled by the signal or after timeoutMs. Connection problems are retryable StepErrors. */
export async function sendHttp(req: HttpRequestParams, signal: AbortSignal, timeoutMs: number): Promise<HttpResponse> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k] = isSecret(v) ? v.reveal() : String(v);
  let body: string | undefined;
  if (req.json !== undefined) {
    body = JSON.stringify(revealDeep(req.json));
    headers['content-type'] ??= 'application/json';
  } else if (req.body !== undefined) {
    body = String(revealDeep(req.body));
  }
  const method = req.method ?? (body === undefined ? 'GET' : 'POST');
  try {
    const res = await fetch(String(revealDeep(req.url)), {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(timerDelay(timeoutMs))]),
    });
    return { status: res.status, body: await res.text() };
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (e as Error).message;
    throw stepError(`${method} ${displayUrl(req.url)}: ${why}`, { retryable: true, cause: e });
  }
}

/** URL for messages: secrets stay hidden (a Secret prints as ***). */
export function displayUrl(url: unknown): string {
  return String(url);
}
