import type { Diagnostic } from '../../util/diagnostic.js';
import { didYouMean, suggestionSuffix } from '../../util/did-you-mean.js';
import { collectReferences, type Ref } from '../template.js';
import { nameOf, stepPath, transitiveNeeds, type CheckContext, type RawStep } from './context.js';

/** Sections outside steps that may hold references (steps' outputs do not exist for readiness). */
const SECTIONS = ['readiness', 'steadyState', 'fault', 'schedule', 'stopConditions'] as const;

/**
 * `${params.X}` must be declared; `${steps.ID.outputs.NAME}` must name a step this one needs (directly or
 * not) and an output its kind sets; `${env.X}` / `${secret.X}` are checked at run time; anything else is wrong.
 */
export function checkReferences(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const step of ctx.steps) {
    for (const ref of collectReferences(step.with, stepPath(step, 'with'))) out.push(...checkRef(ctx, ref, step));
  }
  const spec = (ctx.data as { spec?: Record<string, unknown> } | undefined)?.spec;
  for (const section of SECTIONS) {
    for (const ref of collectReferences(spec?.[section], ['spec', section])) out.push(...checkRef(ctx, ref, section));
  }
  return out;
}

type Owner = RawStep | (typeof SECTIONS)[number];

function checkRef(ctx: CheckContext, ref: Ref, owner: Owner): Diagnostic[] {
  // located only for a problem: finding the text in the source costs more than the whole check
  const error = (code: string, message: string, hint?: string): Diagnostic[] => [
    { severity: 'error', code, message, ...(hint ? { hint } : {}), ...ctx.sourceMap.locateText(ref.path, ref.raw) },
  ];
  switch (ref.type) {
    case 'params': {
      if (ctx.paramNames.has(ref.name)) return [];
      const suggestion = didYouMean(ref.name, ctx.paramNames);
      return error(
        'unknown-param',
        `unknown param "${ref.name}" in ${ref.raw}${suggestionSuffix(suggestion)}`,
        `declare it under spec.params (declared: ${[...ctx.paramNames].join(', ') || 'none'})`,
      );
    }
    case 'env':
    case 'secret':
      return [];
    case 'invalid':
      return error('bad-reference', ref.reason, 'write $${ for a literal ${');
    case 'output':
      return checkOutputRef(ctx, ref, owner, error);
  }
}

function checkOutputRef(
  ctx: CheckContext,
  ref: Ref & { readonly type: 'output' },
  owner: Owner,
  error: (code: string, message: string, hint?: string) => Diagnostic[],
): Diagnostic[] {
  const target = ctx.stepsById.get(ref.step);
  if (!target) {
    const suggestion = didYouMean(ref.step, ctx.stepsById.keys());
    return error('unknown-step-ref', `${ref.raw} refers to step "${ref.step}", which does not exist${suggestionSuffix(suggestion)}`);
  }
  if (owner === 'readiness') {
    return error('ref-not-needed', `${ref.raw}: readiness probes run before any step, so step outputs do not exist yet`);
  }
  if (typeof owner === 'object') {
    if (owner.id === ref.step) return error('ref-not-needed', `${nameOf(owner)} reads its own output ${ref.raw}`);
    if (!transitiveNeeds(ctx, owner).has(ref.step)) {
      return error(
        'ref-not-needed',
        `${nameOf(owner)} reads ${ref.raw} but does not need step "${ref.step}": the value would not exist yet`,
        `add "${ref.step}" to the needs of ${nameOf(owner)}`,
      );
    }
  }
  const kind = target.kind === undefined ? undefined : ctx.registry.get(target.kind);
  const names = kind?.outputNames;
  if (!names || names.includes(ref.name)) return [];
  const suggestion = didYouMean(ref.name, names);
  return error(
    'unknown-output',
    `step "${ref.step}" (${kind.name}) has no output "${ref.name}"${suggestionSuffix(suggestion)}`,
    names.length > 0 ? `${kind.name} sets: ${names.join(', ')}` : `${kind.name} sets no outputs`,
  );
}
