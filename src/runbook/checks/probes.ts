import { httpExpectProblems, httpRequestProblems } from '../../probe/http-check.js';
import type { Diagnostic } from '../../util/diagnostic.js';
import type { Check } from './context.js';

const asRecord = (v: unknown): Readonly<Record<string, unknown>> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const asList = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/** HTTP probes (readiness, steadyState, stopConditions, fault.detect): URL, method, status codes, JSON paths. */
export const checkProbes: Check = (ctx) => {
  const spec = asRecord(asRecord(ctx.data)?.['spec']);
  if (!spec) return [];
  const lists: [readonly (string | number)[], unknown][] = [
    [['spec', 'readiness'], spec['readiness']],
    [['spec', 'steadyState'], spec['steadyState']],
    [['spec', 'stopConditions'], spec['stopConditions']],
    [['spec', 'fault', 'detect'], asRecord(spec['fault'])?.['detect']],
  ];
  return lists.flatMap(([at, list]) =>
    asList(list).flatMap((raw, i): Diagnostic[] => {
      const probe = asRecord(raw);
      if (!probe || probe['http'] === undefined) return [];
      const name = typeof probe['name'] === 'string' ? `probe "${probe['name']}"` : `probe #${i + 1}`;
      return [...httpRequestProblems(probe['http'], ['http']), ...httpExpectProblems(probe['expect'], ['expect'])].map((p) => ({
        severity: 'error',
        code: 'bad-value',
        message: `${name}: ${p.message}`,
        ...ctx.sourceMap.locate([...at, i, ...p.path]),
      }));
    }),
  );
};
