import { createHash } from 'node:crypto';
import type { KindRegistry } from '../kinds/registry.js';
import type { Runbook } from '../runbook/types.js';
import { computeLayers, criticalPath } from './graph.js';
import type { Observation } from './observe-all.js';
import { PLAN_SCHEMA_VERSION, type Plan, type PlanAction, type PlannedStep } from './types.js';

export interface BuildPlanInput {
  readonly runbook: Runbook;
  readonly registry: KindRegistry;
  readonly observations: ReadonlyMap<string, Observation>;
  readonly predicted: ReadonlyMap<string, number>;
  readonly historyRuns: number;
  readonly now: Date;
  /** The resolved run params (defaults, --params-file, --set): part of what a saved plan approves. */
  readonly params: Readonly<Record<string, unknown>>;
}

/** Pure: observations + history → the plan (what each step would do, layers, critical path, prediction). */
export function buildPlan(input: BuildPlanInput): Plan {
  const { runbook, registry, observations, predicted } = input;
  const steps: PlannedStep[] = runbook.steps.map((s) => {
    const obs = observations.get(s.id);
    const kind = registry.get(s.kind);
    const base = {
      id: s.id, kind: s.kind, needs: s.needs, observeMs: obs?.durationMs ?? 0, predictedMs: predicted.get(s.id), budgetMs: s.budgetMs,
      paramsHash: obs && obs.params !== undefined ? sha256(canonicalJson(obs.params)) : undefined,
    };
    if (!kind || !obs || obs.error !== undefined) {
      return { ...base, action: 'unknown', describe: 'could not observe', reason: undefined, before: undefined, desired: undefined, error: obs?.error ?? 'not observed' };
    }
    try {
      const d = kind.decide(obs.params, obs.state);
      if (d.action === 'noop') {
        return { ...base, action: 'noop', describe: kind.describe(obs.params, obs.state, undefined), reason: d.reason ?? 'already done', before: obs.state, desired: undefined, error: undefined };
      }
      const action: PlanAction = s.kind === 'gate' ? 'gate' : 'change';
      return { ...base, action, describe: kind.describe(obs.params, obs.state, d.desired), reason: undefined, before: obs.state, desired: d.desired, error: undefined };
    } catch (e) {
      return { ...base, action: 'unknown', describe: 'could not decide', reason: undefined, before: obs.state, desired: undefined, error: (e as Error).message };
    }
  });
  const hasHistory = runbook.steps.some((s) => predicted.has(s.id));
  const cp = criticalPath(runbook.steps, (id) => (hasHistory ? (predicted.get(id) ?? 0) : 1));
  const counts: Record<PlanAction, number> = { change: 0, noop: 0, unknown: 0, gate: 0 };
  for (const s of steps) counts[s.action]++;
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    runbook: { name: runbook.name, file: runbook.file, hash: runbook.hash },
    createdAt: input.now.toISOString(),
    steps,
    layers: computeLayers(runbook.steps),
    criticalPath: { steps: cp.path, predictedMs: hasHistory ? cp.totalMs : undefined },
    predictedMs: hasHistory ? cp.totalMs : undefined,
    budgetMs: runbook.budgetMs,
    counts,
    params: input.params,
    fingerprint: fingerprintOf(runbook.hash, input.params, steps),
    historyRuns: input.historyRuns,
  };
}

/**
 * What a saved plan approves: the runbook (hash), the resolved params, and per step its action, observed
 * before-state, desired state and resolved params (`with:` after interpolation). Secret values are left
 * out (a Secret serializes as ***): a changed secret does not make a plan stale.
 */
export function fingerprintOf(runbookHash: string, params: Readonly<Record<string, unknown>>, steps: readonly PlannedStep[]): string {
  const h = createHash('sha256').update(runbookHash).update(`\0${canonicalJson(params)}`);
  for (const s of steps) {
    h.update(`\0${s.id}\0${s.action}\0${canonicalJson(s.before ?? null)}\0${canonicalJson(s.desired ?? null)}\0${s.paramsHash ?? ''}`);
  }
  return h.digest('hex');
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** JSON with object keys sorted (at every depth), so equal values hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  }) ?? 'null';
}

/** A plan has pending changes when any step would change, ask, or could not be observed. */
export const planHasChanges = (plan: Plan): boolean => plan.counts.change + plan.counts.gate + plan.counts.unknown > 0;
