import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { expect } from 'vitest';
import { ABORT_GRACE_MS, type KindContext } from '../../src/model/kind.js';
import { makeKindContext, type KindContextOptions, type TestKindContext } from './kind-context.js';
import { waitFor } from './wait-for.js';

/**
 * Deadline tests against a real server frozen mid-step (SIGSTOP: a cut data center as its clients see
 * it). The kind's own timeouts are set far beyond the test's time (minutes), so the only thing that can
 * end its call is the context's signal: the test aborts it once the call is waiting on the frozen server
 * (an event: a connection to the server's port is open) and measures how long the call takes to stop.
 * The contract (model/kind.ts): ABORT_GRACE_MS at most, also when the server never answers.
 */

/** Socket inodes held by this process (its /proc/self/fd links "socket:[INODE]"). */
function ownSocketInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** Inodes of the sockets (TCP, or connected UDP) whose remote port is `port`, from /proc/net. */
function socketsTo(port: number): Set<string> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found = new Set<string>();
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // sl local rem st tx:rx tr:when retrnsmt uid timeout inode; ESTABLISHED (01) or SYN_SENT (02)
      if (f[2]?.endsWith(`:${hexPort}`) && (f[3] === '01' || f[3] === '02') && f[9]) found.add(f[9]);
    }
  }
  return found;
}

/**
 * A new connection to `port` opened since `before` (socketsTo(port) taken then): by this process, or
 * (anyProcess: a command the kind started) by anyone.
 */
export function connectionOpened(port: number, before: ReadonlySet<string>, anyProcess = false): boolean {
  const now = [...socketsTo(port)].filter((i) => !before.has(i));
  if (anyProcess) return now.length > 0;
  const mine = ownSocketInodes();
  return now.some((i) => mine.has(i));
}

export interface AbortedCall {
  /** What the call settled with (it must settle: the test fails on vitest's timeout otherwise). */
  readonly outcome: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };
  /** ms from the abort to the call's settling. */
  readonly afterAbortMs: number;
  readonly ctx: TestKindContext;
}

export interface AbortMidStepOptions extends KindContextOptions {
  /** The frozen server's port: the call is aborted once it has a connection open to it. */
  readonly port?: number;
  /** The connection is made by a command the kind runs (exec), not by this process. */
  readonly anyProcess?: boolean;
  /** Or: abort once this holds (e.g. the kind reported a progress line). */
  readonly until?: (ctx: TestKindContext) => boolean;
}

/** Run `call` with a fresh context, abort its signal once it waits on the frozen server, and time its stop. */
export async function abortMidStep(call: (ctx: KindContext) => Promise<unknown>, o: AbortMidStepOptions): Promise<AbortedCall> {
  const stop = new AbortController();
  const ctx = makeKindContext({ timeoutMs: 600_000, ...o, signal: stop.signal });
  const before = o.port === undefined ? new Set<string>() : socketsTo(o.port);
  let settled = false;
  let settledAt = 0;
  const running = call(ctx)
    .then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    )
    .finally(() => {
      settled = true;
      settledAt = performance.now();
    });
  const port = o.port;
  if (port !== undefined)
    await waitFor(() => settled || connectionOpened(port, before, o.anyProcess), `a connection to port ${port}`, 60_000, 5);
  if (o.until) await waitFor(() => settled || o.until?.(ctx), 'the call to reach the point to abort at', 60_000, 5);
  if (settled) throw new Error(`the call settled before it could be aborted mid-step: ${JSON.stringify(await running)}`);
  const abortedAt = performance.now();
  stop.abort(new Error('test: abort mid-step'));
  const outcome = await running;
  return { outcome, afterAbortMs: settledAt - abortedAt, ctx };
}

/** SIGSTOP the processes, run fn, and SIGCONT them afterwards whatever happened. */
export async function whileFrozen<T>(pids: readonly number[], fn: () => Promise<T>): Promise<T> {
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  try {
    return await fn();
  } finally {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
  }
}

/** What every frozen-server deadline test checks: the call failed once aborted, and stopped within the grace. */
export function expectStoppedInGrace(r: AbortedCall): void {
  expect(r.outcome.ok, `the call went on after the abort: ${JSON.stringify(r.outcome)}`).toBe(false);
  expect(r.afterAbortMs, `it stopped ${Math.round(r.afterAbortMs)} ms after the abort`).toBeLessThan(ABORT_GRACE_MS);
}
