import type { Diagnostic } from '../../util/diagnostic.js';
import { didYouMean, suggestionSuffix } from '../../util/did-you-mean.js';
import type { Check } from './context.js';
import { checkParamsOf } from './kind-params.js';
import { collectReferences } from '../template.js';

const FAULT = ['spec', 'fault'] as const;

/** spec.fault: its kind must exist (did-you-mean), its `with:` must fit that kind's params, its `lost` be names. */
export const checkFault: Check = (ctx) => {
  const fault = (ctx.data as { spec?: { fault?: { kind?: unknown; with?: unknown; lost?: unknown } } }).spec?.fault;
  if (!fault) return [];
  const lost = lostTemplates(ctx, fault.lost);
  if (typeof fault.kind !== 'string') return lost;
  const kind = ctx.registry.get(fault.kind);
  if (kind) return [...lost, ...checkParamsOf(ctx, kind, fault.with, FAULT, 'the fault')];
  const suggestion = didYouMean(fault.kind, ctx.registry.names());
  const d: Diagnostic = {
    severity: 'error',
    code: 'unknown-kind',
    message: `unknown kind "${fault.kind}" in the fault${suggestionSuffix(suggestion)}`,
    hint: `faults are kinds whose apply injects and rollback restores: fault.freeze, fault.link, exec, http, or a plug-in kind`,
    ...ctx.sourceMap.locate([...FAULT, 'kind']),
  };
  return [...lost, d];
};

/**
 * fault.lost is read as written (the lost side is resolved before any param is): a `${…}` there would be
 * taken for a data center's name. Each one is named at its file:line:column.
 */
function lostTemplates(ctx: Parameters<Check>[0], lost: unknown): Diagnostic[] {
  return collectReferences(lost, [...FAULT, 'lost']).map((ref) => ({
    severity: 'error',
    code: 'lost-reference',
    message: `fault.lost: ${ref.raw} is not read here: fault.lost names data centers (or a city of spec.topology) as they are`,
    hint: 'write the names: lost: [hz-a, hz-b], or lost: hz (a city of spec.topology)',
    ...ctx.sourceMap.locateText(ref.path, ref.raw),
  }));
}
