import type { Diagnostic } from '../../util/diagnostic.js';
import { collectReferences } from '../template.js';
import type { Check } from './context.js';

type Path = readonly (string | number)[];

/**
 * A sql probe's query text never holds a `${…}` reference (anywhere in the runbook: readiness, steps'
 * probes, a rules catch-up): a value pasted into SQL text changes the query (a quote in a --set value);
 * it goes in `args` as a bind value ($1, $2…). Each reference is named at its file:line:column.
 */
export const checkSqlQueryText: Check = (ctx) => {
  const out: Diagnostic[] = [];
  const visit = (value: unknown, path: Path): void => {
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i]));
    else if (value !== null && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'sql' && v !== null && typeof v === 'object' && 'query' in v) {
          for (const ref of collectReferences((v as { query: unknown }).query, [...path, key, 'query'])) {
            out.push({
              severity: 'error',
              code: 'sql-query-reference',
              message: `sql.query: ${ref.raw} inside the query text (a value pasted into SQL changes the query)`,
              hint: `put it in args as a bind value and write $1, $2… in the query: args: ["${ref.raw}"]`,
              ...ctx.sourceMap.locateText(ref.path, ref.raw),
            });
          }
        }
        visit(v, [...path, key]);
      }
    }
  };
  visit(ctx.data, []);
  return out;
};
