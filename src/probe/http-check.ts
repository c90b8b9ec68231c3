import { didYouMean, suggestionSuffix } from '../util/did-you-mean.js';
import type { ParamProblem } from '../model/kind.js';
import { parseJsonPath } from './json-path.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

type Path = readonly (string | number)[];
const asRecord = (v: unknown): Readonly<Record<string, unknown>> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
/** A literal to judge now; text with `${...}` is only known at run time. */
const literal = (v: unknown): v is string => typeof v === 'string' && !v.includes('${');

/**
 * Static checks of an HTTP request as written (a step's request, a probe's http): the URL is an
 * absolute http(s) URL, the method is an HTTP method. Paths are relative to the request.
 */
export function httpRequestProblems(raw: unknown, at: Path = []): ParamProblem[] {
  const req = asRecord(raw);
  if (!req) return [];
  const problems: ParamProblem[] = [];
  const url = req['url'];
  if (literal(url)) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      problems.push({
        path: [...at, 'url'],
        message: `url "${url}" is not an absolute http:// or https:// URL (e.g. http://127.0.0.1:8080/health)`,
      });
    }
  }
  const method = req['method'];
  if (literal(method) && !(HTTP_METHODS as readonly string[]).includes(method.toUpperCase())) {
    problems.push({
      path: [...at, 'method'],
      message: `method "${method}" is not an HTTP method: ${HTTP_METHODS.join(', ')}${suggestionSuffix(didYouMean(method.toUpperCase(), HTTP_METHODS))}`,
    });
  }
  return problems;
}

/** Static checks of an HTTP expectation: status codes are 100-599, JSON paths start with $ and parse. */
export function httpExpectProblems(raw: unknown, at: Path = []): ParamProblem[] {
  const expect = asRecord(raw);
  if (!expect) return [];
  const problems: ParamProblem[] = [];
  const status = expect['status'];
  if (Array.isArray(status)) {
    status.forEach((code: unknown, i) => {
      if (typeof code === 'number' && (!Number.isInteger(code) || code < 100 || code > 599)) {
        problems.push({ path: [...at, 'status', i], message: `status ${code} is not an HTTP status code (100-599)` });
      }
    });
  }
  const json = expect['json'];
  if (Array.isArray(json)) {
    json.forEach((item: unknown, i) => {
      const path = asRecord(item)?.['path'];
      if (!literal(path)) return;
      const problem = jsonPathProblem(path);
      if (problem) problems.push({ path: [...at, 'json', i, 'path'], message: problem });
    });
  }
  return problems;
}

/** A request with its `expect` inside (the http kind's request, observe and rollback). */
export const httpCallProblems = (raw: unknown, at: Path): ParamProblem[] => [
  ...httpRequestProblems(raw, at),
  ...httpExpectProblems(asRecord(raw)?.['expect'], [...at, 'expect']),
];

function jsonPathProblem(path: string): string | undefined {
  if (!path.startsWith('$')) return `JSON path "${path}" must start with $ (e.g. $.status or $.items[0].name)`;
  try {
    parseJsonPath(path);
    return undefined;
  } catch {
    return `bad JSON path "${path}": use $.key, $.a.b, $.list[0] or $['odd key']`;
  }
}
