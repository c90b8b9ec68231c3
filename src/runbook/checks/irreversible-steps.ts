import type { Diagnostic } from '../../util/diagnostic.js';
import { validateParams } from '../schema.js';
import { collectReferences } from '../template.js';
import { nameOf, stepPath, type CheckContext } from './context.js';

/** Warn when onFailure is rollback but a step (with static params) cannot be undone. */
export function checkIrreversibleSteps(ctx: CheckContext): Diagnostic[] {
  const onFailure = (ctx.data as { spec?: { onFailure?: unknown } } | undefined)?.spec?.onFailure;
  if (onFailure !== 'rollback') return [];
  const out: Diagnostic[] = [];
  for (const step of ctx.steps) {
    const kind = step.kind === undefined ? undefined : ctx.registry.get(step.kind);
    if (!kind?.reversible) continue;
    const params = step.with ?? {};
    if (collectReferences(params).length > 0) continue; // depends on run-time values
    let reversible: boolean;
    try {
      if (validateParams(kind.paramsSchema, params).length > 0) continue;
      reversible = kind.reversible(params);
    } catch {
      continue;
    }
    if (reversible) continue;
    out.push({
      severity: 'warning',
      code: 'irreversible-step',
      message: `${nameOf(step)} (${kind.name}) cannot be rolled back, but spec.onFailure is rollback`,
      hint: 'a failure after this step leaves its change in place; make it reversible or order it last',
      ...ctx.sourceMap.locate(stepPath(step, 'kind')),
    });
  }
  return out;
}
