import type { Diagnostic } from '../../util/diagnostic.js';
import { didYouMean, suggestionSuffix } from '../../util/did-you-mean.js';
import type { Check } from './context.js';

interface RawScenario {
  readonly name?: unknown;
  readonly params?: unknown;
}

/**
 * spec.scenarios: names unique in the runbook, params the runbook declares, and a topology to check the
 * lost names against (spec.topology: the names themselves are checked by checkScenarioNames, which reads it).
 */
export const checkScenarios: Check = (ctx) => {
  const spec = (ctx.data as { spec?: { scenarios?: unknown; topology?: unknown } } | undefined)?.spec;
  const list = Array.isArray(spec?.scenarios) ? (spec.scenarios as RawScenario[]) : [];
  const out: Diagnostic[] = [];
  if (list.length > 0 && typeof spec?.topology !== 'string') {
    out.push({
      severity: 'error',
      code: 'scenarios-need-topology',
      message: "spec.scenarios name data centers and cities: give spec.topology (the estate's topology file) so they can be checked",
      hint: 'e.g. topology: topology.yaml (relative to the runbook)',
      ...ctx.sourceMap.locateKey(['spec', 'scenarios']),
    });
  }
  const seen = new Map<string, number>();
  list.forEach((s, i) => {
    if (typeof s?.name === 'string') {
      const first = seen.get(s.name);
      if (first !== undefined) {
        out.push({
          severity: 'error',
          code: 'duplicate-scenario',
          message: `duplicate scenario "${s.name}": scenario #${first + 1} already uses the name`,
          ...ctx.sourceMap.locate(['spec', 'scenarios', i, 'name']),
        });
      } else seen.set(s.name, i);
    }
    const params = s?.params;
    if (params === null || typeof params !== 'object' || Array.isArray(params)) return;
    for (const key of Object.keys(params)) {
      if (ctx.paramNames.has(key)) continue;
      out.push({
        severity: 'error',
        code: 'unknown-param',
        message: `scenario param "${key}" is not a param of this runbook${suggestionSuffix(didYouMean(key, [...ctx.paramNames]))}`,
        hint: `declared params: ${[...ctx.paramNames].join(', ') || '(none)'}`,
        ...ctx.sourceMap.locateKey(['spec', 'scenarios', i, 'params', key]),
      });
    }
  });
  return out;
};
