import { canonicalJson } from './build-plan.js';
import type { Plan } from './types.js';
import type { Runbook } from '../runbook/types.js';
import { DrctlError, ExitCode } from '../util/errors.js';

const stale = (message: string, hint: string): DrctlError => new DrctlError('plan-stale', ExitCode.refused, message, { hint });

/** The plan was made from this runbook file (byte for byte). */
export function assertPlanRunbook(plan: Plan, file: string, runbook: Runbook): void {
  if (plan.runbook.hash !== runbook.hash) {
    throw stale(
      `runbook changed since the plan was made: ${file} has hash ${runbook.hash.slice(0, 12)}, the plan (${plan.createdAt}) was made from ${plan.runbook.hash.slice(0, 12)}; nothing was changed`,
      'make a new plan with `drctl plan RUNBOOK -o plan.json` and have it approved again',
    );
  }
}

/**
 * The plan still describes what would be done now: same params, and per step the same action, observed
 * state, desired state and resolved params (same fingerprint); else refuse naming what changed.
 */
export function assertPlanFresh(saved: Plan, live: Plan): void {
  if (saved.fingerprint === live.fingerprint) return;
  if (saved.params === undefined) {
    throw stale(
      `the plan (${saved.createdAt}) was made by an older drctl that did not record its params; nothing was changed`,
      'make a new plan with `drctl plan RUNBOOK -o plan.json` and have it approved again',
    );
  }
  const show = (v: unknown): string => canonicalJson(v ?? null);
  const params = [...new Set([...Object.keys(saved.params), ...Object.keys(live.params)])]
    .filter((k) => show(saved.params[k]) !== show(live.params[k]))
    .map((k) => `${k} (plan: ${show(saved.params[k])}; now: ${show(live.params[k])})`);
  const was = new Map(saved.steps.map((s) => [s.id, s]));
  const observed: string[] = [];
  const intended: string[] = [];
  for (const s of live.steps) {
    const old = was.get(s.id);
    if (!old || old.action !== s.action || show(old.before) !== show(s.before)) {
      observed.push(
        old && old.action !== s.action
          ? `${s.id} (was ${old.action}: ${old.describe}; now ${s.action}: ${s.describe})`
          : `${s.id} (now: ${s.describe})`,
      );
    } else if (show(old.desired) !== show(s.desired) || old.paramsHash !== s.paramsHash) {
      intended.push(`${s.id} (${show(old.desired) !== show(s.desired) ? `would now do: ${s.describe}` : 'its resolved params differ'})`);
    }
  }
  const what = [
    ...(params.length > 0 ? [`params differ: ${params.join(', ')}`] : []),
    ...(observed.length > 0
      ? [`the live state changed since the plan was made (${saved.createdAt}): observed state differs for step(s) ${observed.join(', ')}`]
      : []),
    ...(intended.length > 0 ? [`what the plan approved differs for step(s) ${intended.join(', ')}`] : []),
  ];
  throw stale(
    `${what.length > 0 ? what.join('; ') : `the plan (${saved.createdAt}) no longer matches: the fingerprint differs`}; nothing was changed`,
    'review a fresh plan (`drctl plan RUNBOOK -o plan.json`, with the same --set/--params-file as the run) before applying it',
  );
}
