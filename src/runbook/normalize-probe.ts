import { parseDuration } from '../util/duration.js';
import type { ProbeRunOptions, RedisProbeSpec, SqlProbeSpec, Tolerance } from '../model/probe.js';
import type { ExecExpect, HttpExpect, HttpRequestSpec, JsonExpect, Probe } from './types.js';

export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

type Raw = Readonly<Record<string, unknown>>;

/** A validated probe (readiness / steadyState entry) → the Probe union. */
export function normalizeProbe(raw: Raw): Probe {
  const name = String(raw['name']);
  const timeoutMs = (typeof raw['timeout'] === 'string' ? parseDuration(raw['timeout']) : undefined) ?? DEFAULT_PROBE_TIMEOUT_MS;
  const expect = (raw['expect'] ?? {}) as Raw;
  const run = runOptions(raw);
  if (Array.isArray(raw['exec'])) {
    return { type: 'exec', name, exec: raw['exec'] as unknown[], expect: execExpect(expect), timeoutMs, ...run };
  }
  if (raw['redis'] !== undefined)
    return { type: 'redis', name, redis: raw['redis'] as RedisProbeSpec, expect: tolerance(expect), timeoutMs, ...run };
  if (raw['sql'] !== undefined) return { type: 'sql', name, sql: raw['sql'] as SqlProbeSpec, expect: tolerance(expect), timeoutMs, ...run };
  return { type: 'http', name, http: httpRequest((raw['http'] ?? {}) as Raw), expect: httpExpect(expect), timeoutMs, ...run };
}

function runOptions(raw: Raw): ProbeRunOptions {
  const interval = typeof raw['interval'] === 'string' ? parseDuration(raw['interval']) : undefined;
  return {
    ...(typeof raw['successThreshold'] === 'number' ? { successThreshold: raw['successThreshold'] } : {}),
    ...(typeof raw['failureThreshold'] === 'number' ? { failureThreshold: raw['failureThreshold'] } : {}),
    ...(interval !== undefined ? { intervalMs: interval } : {}),
    ...(typeof raw['errorCountsAsFailure'] === 'boolean' ? { errorCountsAsFailure: raw['errorCountsAsFailure'] } : {}),
  };
}

function tolerance(raw: Raw): Tolerance {
  const range = raw['range'];
  return {
    ...(typeof raw['path'] === 'string' ? { path: raw['path'] } : {}),
    ...(raw['equals'] !== undefined ? { equals: raw['equals'] } : {}),
    ...(Array.isArray(range) && range.length === 2 ? { range: [Number(range[0]), Number(range[1])] as const } : {}),
    ...(Array.isArray(raw['in']) ? { in: raw['in'] as unknown[] } : {}),
    ...(typeof raw['matches'] === 'string' ? { matches: raw['matches'] } : {}),
  };
}

function execExpect(raw: Raw): ExecExpect {
  return {
    ...(Array.isArray(raw['exitCode']) ? { exitCode: raw['exitCode'] as number[] } : {}),
    ...(typeof raw['stdoutMatches'] === 'string' ? { stdoutMatches: raw['stdoutMatches'] } : {}),
    ...(typeof raw['stdoutEquals'] === 'string' ? { stdoutEquals: raw['stdoutEquals'] } : {}),
    ...(Array.isArray(raw['range']) ? { range: raw['range'] as [number, number] } : {}),
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
