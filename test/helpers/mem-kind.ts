import { defineKind } from '../../src/kinds/define-kind.js';
import { HOLDS, notYet, stepError } from '../../src/model/kind.js';
import type { Runbook, StepSpec } from '../../src/runbook/types.js';

/**
 * A test kind over an in-memory key/value "world": observe reads a key, apply sets it. Failures and
 * delays are scripted per key, and every apply is counted, so tests see real side effects.
 */
export interface MemWorld {
  readonly values: Map<string, string>;
  readonly applies: string[];
  /** key → number of apply attempts that still fail */
  readonly failApplies: Map<string, number>;
  /** key → apply delay ms */
  readonly delays: Map<string, number>;
  running: number;
  maxRunning: number;
}

export const createWorld = (): MemWorld => ({
  values: new Map(),
  applies: [],
  failApplies: new Map(),
  delays: new Map(),
  running: 0,
  maxRunning: 0,
});

interface MemParams {
  readonly key: string;
  readonly to: string;
  readonly retryable?: boolean;
}

export function memKind(world: MemWorld) {
  return defineKind<MemParams, { value: string | undefined }>({
    name: 'mem',
    description: 'test kind',
    paramsSchema: { type: 'object' },
    outputNames: ['value'],
    async observe(p) {
      return { value: world.values.get(p.key) };
    },
    decide(p, current) {
      return current.value === p.to ? { action: 'noop', reason: 'already done' } : { action: 'change', desired: { value: p.to } };
    },
    async apply(p, change, ctx) {
      world.running++;
      world.maxRunning = Math.max(world.maxRunning, world.running);
      try {
        const delay = world.delays.get(p.key);
        if (delay) await ctx.clock.sleep(delay, ctx.signal);
        const failures = world.failApplies.get(p.key) ?? 0;
        if (failures > 0) {
          world.failApplies.set(p.key, failures - 1);
          throw stepError(`mem ${p.key}: scripted failure`, { retryable: p.retryable ?? true });
        }
        world.applies.push(`${p.key}=${String(change.desired.value)}`);
        if (change.desired.value === undefined) world.values.delete(p.key);
        else world.values.set(p.key, change.desired.value);
      } finally {
        world.running--;
      }
    },
    holds: (_p, desired, current) =>
      desired.value === current.value ? HOLDS : notYet(`${String(current.value)} != ${String(desired.value)}`),
    describe: (p, before, after) => `${p.key}: ${String(before.value)} → ${String(after?.value ?? p.to)}`,
    outputs: (_p, s) => ({ value: s.value ?? null }),
  });
}

export function step(id: string, needs: string[], params: MemParams, extra: Partial<StepSpec> = {}): StepSpec {
  return {
    id,
    kind: 'mem',
    description: undefined,
    needs,
    with: params,
    timeoutMs: 5000,
    retry: { retries: 0, backoffMs: 10, backoffFactor: 2, maxBackoffMs: 100 },
    budgetMs: undefined,
    verifyIntervalMs: 5,
    index: 0,
    ...extra,
  };
}

export function runbookOf(steps: StepSpec[], extra: Partial<Runbook> = {}): Runbook {
  return {
    apiVersion: 'drctl/v1',
    name: 'test',
    description: undefined,
    file: '/tmp/test.yaml',
    baseDir: '/tmp',
    hash: 'h',
    params: {},
    budgetMs: undefined,
    concurrency: 4,
    onFailure: 'stop',
    lockScope: 'test',
    plugins: [],
    readiness: [],
    steadyState: [],
    steps,
    extra: {},
    ...extra,
  };
}
