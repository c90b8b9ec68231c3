import { createHash, hash } from 'node:crypto';
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
  /** The data centers the run is told are lost (--lost): the observations did not wait on them. */
  readonly lost?: readonly string[] | undefined;
}

/** Pure: observations + history → the plan (what each step would do, layers, critical path, prediction). */
export function buildPlan(input: BuildPlanInput): Plan {
  const { runbook, registry, observations, predicted } = input;
  const steps: PlannedStep[] = runbook.steps.map((s) => {
    const obs = observations.get(s.id);
    const kind = registry.get(s.kind);
    // one object literal per outcome (no spread of a shared base): 10,000 steps are planned in one go
    const planned = (
      action: PlanAction,
      describe: string,
      reason: string | undefined,
      before: unknown,
      desired: unknown,
      error: string | undefined,
    ): PlannedStep => ({
      id: s.id,
      kind: s.kind,
      needs: s.needs,
      observeMs: obs?.durationMs ?? 0,
      predictedMs: predicted.get(s.id),
      budgetMs: s.budgetMs,
      paramsHash: obs && obs.params !== undefined ? sha256(canonicalJson(obs.params)) : undefined,
      action,
      describe,
      reason,
      before,
      desired,
      error,
    });
    if (!kind || !obs || obs.error !== undefined)
      return planned('unknown', 'could not observe', undefined, undefined, undefined, obs?.error ?? 'not observed');
    try {
      const d = kind.decide(obs.params, obs.state);
      if (d.action === 'noop')
        return planned(
          'noop',
          kind.describe(obs.params, obs.state, undefined),
          d.reason ?? 'already done',
          obs.state,
          undefined,
          undefined,
        );
      return planned(
        s.kind === 'gate' ? 'gate' : 'change',
        kind.describe(obs.params, obs.state, d.desired),
        undefined,
        obs.state,
        d.desired,
        undefined,
      );
    } catch (e) {
      return planned('unknown', 'could not decide', undefined, obs.state, undefined, (e as Error).message);
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
    ...(input.lost !== undefined && input.lost.length > 0 ? { lost: input.lost } : {}),
  };
}

/**
 * What a saved plan approves: the runbook (hash), the resolved params, and per step its action, observed
 * before-state, desired state and resolved params (`with:` after interpolation). Secret values are left
 * out (a Secret serializes as ***): a changed secret does not make a plan stale.
 */
export function fingerprintOf(runbookHash: string, params: Readonly<Record<string, unknown>>, steps: readonly PlannedStep[]): string {
  const h = createHash('sha256')
    .update(runbookHash)
    .update(`\0${canonicalJson(params)}`);
  for (const s of steps) {
    h.update(`\0${s.id}\0${s.action}\0${canonicalJson(s.before ?? null)}\0${canonicalJson(s.desired ?? null)}\0${s.paramsHash ?? ''}`);
  }
  return h.digest('hex');
}

// one-shot hash (Node ≥ 20.12): no Hash object per step
const sha256 = (text: string): string => hash('sha256', text, 'hex');

/** JSON with object keys sorted (at every depth), so equal values hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return canonical(value) ?? 'null';
}

/** JSON.stringify's rules (toJSON, undefined/functions dropped in objects, null in arrays), keys sorted. */
function canonical(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const json = (v as { toJSON?: unknown }).toJSON;
  if (typeof json === 'function') return canonical((json as () => unknown).call(v));
  if (Array.isArray(v)) return `[${v.map((x) => canonical(x) ?? 'null').join(',')}]`;
  const o = v as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(o).sort()) {
    const c = canonical(o[k]);
    if (c !== undefined) parts.push(`${JSON.stringify(k)}:${c}`);
  }
  return `{${parts.join(',')}}`;
}

/** A plan has pending changes when any step would change, ask, or could not be observed. */
export const planHasChanges = (plan: Plan): boolean => plan.counts.change + plan.counts.gate + plan.counts.unknown > 0;
