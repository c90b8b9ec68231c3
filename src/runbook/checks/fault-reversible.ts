import type { Diagnostic } from '../../util/diagnostic.js';
import { validateParams } from '../schema.js';
import type { Check } from './context.js';

/**
 * spec.fault must be one the rehearsal can take back: a kind that says its params cannot be undone
 * (an exec/http fault without `rollback`) would be injected and then left in place. Params that do not
 * fit the kind's schema are reported by checkFault; a `with:` that is a single `${...}` is checked at run time.
 */
export const checkFaultReversible: Check = (ctx) => {
  const fault = (ctx.data as { spec?: { fault?: { kind?: unknown; with?: unknown } } }).spec?.fault;
  if (!fault || typeof fault.kind !== 'string') return [];
  const kind = ctx.registry.get(fault.kind);
  const params = fault.with ?? {};
  if (!kind?.reversible || params === null || typeof params !== 'object' || Array.isArray(params)) return [];
  let reversible: boolean;
  try {
    if (validateParams(kind.paramsSchema, params).length > 0) return [];
    reversible = kind.reversible(params);
  } catch {
    return [];
  }
  if (reversible) return [];
  const at = fault.with === undefined ? ['spec', 'fault', 'kind'] : ['spec', 'fault', 'with'];
  const d: Diagnostic = {
    severity: 'error',
    code: 'irreversible-fault',
    message: `the fault (${kind.name}) cannot be restored: its params define no way back`,
    hint:
      kind.name === 'exec' || kind.name === 'http'
        ? `add \`rollback:\` (the command or request that removes the fault): a rehearsal always restores its fault`
        : 'a rehearsal always restores its fault: give the fault a reversible kind or params',
    ...ctx.sourceMap.locate(at),
  };
  return [d];
};
