import { parseDuration } from '../util/duration.js';
import type { ExecExpect, HttpExpect, HttpRequestSpec, JsonExpect, Probe } from './types.js';

export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

type Raw = Readonly<Record<string, unknown>>;

/** A validated probe (readiness / steadyState entry) → the Probe union. */
export function normalizeProbe(raw: Raw): Probe {
  const name = String(raw['name']);
  const timeoutMs = (typeof raw['timeout'] === 'string' ? parseDuration(raw['timeout']) : undefined) ?? DEFAULT_PROBE_TIMEOUT_MS;
  const expect = (raw['expect'] ?? {}) as Raw;
  if (Array.isArray(raw['exec'])) {
    return { type: 'exec', name, exec: raw['exec'] as unknown[], expect: execExpect(expect), timeoutMs };
  }
  return { type: 'http', name, http: httpRequest((raw['http'] ?? {}) as Raw), expect: httpExpect(expect), timeoutMs };
}

function execExpect(raw: Raw): ExecExpect {
  return {
    ...(Array.isArray(raw['exitCode']) ? { exitCode: raw['exitCode'] as number[] } : {}),
    ...(typeof raw['stdoutMatches'] === 'string' ? { stdoutMatches: raw['stdoutMatches'] } : {}),
    ...(typeof raw['stdoutEquals'] === 'string' ? { stdoutEquals: raw['stdoutEquals'] } : {}),
  };
}

function httpRequest(raw: Raw): HttpRequestSpec {
  return {
    url: raw['url'],
    ...(typeof raw['method'] === 'string' ? { method: raw['method'] } : {}),
    ...(raw['headers'] !== undefined ? { headers: raw['headers'] as Record<string, unknown> } : {}),
    ...(raw['body'] !== undefined ? { body: raw['body'] } : {}),
    ...(raw['json'] !== undefined ? { json: raw['json'] } : {}),
  };
}

function httpExpect(raw: Raw): HttpExpect {
  return {
    ...(Array.isArray(raw['status']) ? { status: raw['status'] as number[] } : {}),
    ...(Array.isArray(raw['json']) ? { json: raw['json'] as JsonExpect[] } : {}),
    ...(typeof raw['bodyMatches'] === 'string' ? { bodyMatches: raw['bodyMatches'] } : {}),
  };
}
