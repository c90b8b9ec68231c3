import type { Diagnostic } from '../../util/diagnostic.js';
import { didYouMean, suggestionSuffix } from '../../util/did-you-mean.js';
import type { Check } from './context.js';
import { checkParamsOf } from './kind-params.js';

const FAULT = ['spec', 'fault'] as const;

/** spec.fault: its kind must exist (did-you-mean), and its `with:` must fit that kind's params. */
export const checkFault: Check = (ctx) => {
  const fault = (ctx.data as { spec?: { fault?: { kind?: unknown; with?: unknown } } }).spec?.fault;
  if (!fault || typeof fault.kind !== 'string') return [];
  const kind = ctx.registry.get(fault.kind);
  if (kind) return checkParamsOf(ctx, kind, fault.with, FAULT, 'the fault');
  const suggestion = didYouMean(fault.kind, ctx.registry.names());
  const d: Diagnostic = {
    severity: 'error',
    code: 'unknown-kind',
    message: `unknown kind "${fault.kind}" in the fault${suggestionSuffix(suggestion)}`,
    hint: `faults are kinds whose apply injects and rollback restores: fault.freeze, fault.link, exec, http, or a plug-in kind`,
    ...ctx.sourceMap.locate([...FAULT, 'kind']),
  };
  return [d];
};
