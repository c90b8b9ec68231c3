/**
 * The probe model: a read-only check (readiness, steady state, stop conditions, detection, wait.until)
 * as the runbook declares it and the probe library (src/probe) runs it.
 */

/** What a value must look like. Every given test must pass; `path` (JSON path) picks the value first. */
export interface Tolerance {
  readonly path?: string;
  readonly equals?: unknown;
  /** Inclusive numeric range [lo, hi]. */
  readonly range?: readonly [number, number];
  readonly in?: readonly unknown[];
  /** Regular expression the value (as text) must match. */
  readonly matches?: string;
}

/** How a probe is sampled (Chaos Mesh / Litmus semantics). All optional: defaults in runProbeUntilStable. */
export interface ProbeRunOptions {
  /** Consecutive successes needed to call it holding (default 1). */
  readonly successThreshold?: number;
  /** Consecutive failures needed to call it failed / breached (default 1). */
  readonly failureThreshold?: number;
  /** Pause between samples, ms (default 500). */
  readonly intervalMs?: number;
  /** Does an error (unreachable, timeout) count as a failure? (default true). */
  readonly errorCountsAsFailure?: boolean;
}

export interface RedisProbeSpec {
  /** host:port (may carry ${...} until interpolated). */
  readonly addr: unknown;
  /** Command and args, e.g. [ROLE] or [GET, key]. */
  readonly command: readonly unknown[];
  readonly password?: unknown;
  /** A Sentinel master name: addr is a sentinel; the command goes to the master it names (the clients' view). */
  readonly master?: unknown;
  /** AUTH password of the sentinel at addr (with master). */
  readonly sentinelPassword?: unknown;
  /** Channels (patterns with * ? [) whose messages wake a detection probe (probe/notify.ts). */
  readonly subscribe?: unknown;
}

export interface SqlProbeSpec {
  readonly host: unknown;
  readonly port: unknown;
  readonly user: unknown;
  readonly database?: unknown;
  readonly password?: unknown;
  /** Read-only query (or its lines, joined with line breaks); without expect.path the value is the first column of the first row. */
  readonly query: unknown;
  /** Bind values for the query's $1, $2…: never pasted into its text (an interpolated value cannot change the query). */
  readonly args?: unknown;
}

export interface RedisProbe {
  readonly type: 'redis';
  readonly name: string;
  readonly redis: RedisProbeSpec;
  readonly expect: Tolerance;
  readonly timeoutMs: number;
}

export interface SqlProbe {
  readonly type: 'sql';
  readonly name: string;
  readonly sql: SqlProbeSpec;
  readonly expect: Tolerance;
  readonly timeoutMs: number;
}

export interface ExecExpectation {
  readonly exitCode?: readonly number[];
  readonly stdoutMatches?: string;
  readonly stdoutEquals?: string;
  /** The output (trimmed) read as a number, within [lo, hi]: a lag, a count, an error rate. */
  readonly range?: readonly [number, number];
}

export interface JsonExpectation {
  readonly path: string;
  readonly equals?: unknown;
  readonly matches?: string;
  readonly in?: readonly unknown[];
  /** A number (or text that reads as one) within [lo, hi]. */
  readonly range?: readonly [number, number];
}

export interface HttpExpectation {
  readonly status?: readonly number[];
  readonly json?: readonly JsonExpectation[];
  readonly bodyMatches?: string;
}

/** A read-only check: readiness, steady state, wait.until. Extended by issue 6 (redis, sql...). */
export type Probe = (
  | {
      readonly type: 'exec';
      readonly name: string;
      readonly exec: readonly unknown[];
      readonly expect: ExecExpect;
      readonly timeoutMs: number;
    }
  | {
      readonly type: 'http';
      readonly name: string;
      readonly http: HttpRequestSpec;
      readonly expect: HttpExpect;
      readonly timeoutMs: number;
    }
  | RedisProbe
  | SqlProbe
) &
  ProbeRunOptions;

/** What an exec / http probe's answer must be (the exec and http kinds' expectations too). */
export type ExecExpect = ExecExpectation;
export type HttpExpect = HttpExpectation;
export type JsonExpect = JsonExpectation;

export interface HttpRequestSpec {
  readonly url: unknown;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly body?: unknown;
  readonly json?: unknown;
}
