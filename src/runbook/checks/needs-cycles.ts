import type { Diagnostic } from '../../util/diagnostic.js';
import { stepPath, type Check, type CheckContext, type RawStep } from './context.js';

/** Dependency cycles through `needs`, each reported once: "a → b → c → a", a note per edge. */
export const checkNeedsCycles: Check = (ctx) => findCycles(ctx).map((cycle) => cycleDiagnostic(ctx, cycle));

/** Each cycle as the list of steps, starting at the one written first in the file. */
function findCycles(ctx: CheckContext): RawStep[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const seen = new Set<string>();
  const cycles: RawStep[][] = [];
  const path: RawStep[] = [];
  const visit = (step: RawStep): void => {
    state.set(step.id ?? '', 'visiting');
    path.push(step);
    for (const need of step.needs) {
      const next = ctx.stepsById.get(need.name);
      if (!next?.id) continue;
      const s = state.get(next.id);
      if (s === 'visiting') {
        const cycle = rotate(path.slice(path.indexOf(next)));
        const key = cycle.map((c) => c.id).join('\0');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (s === undefined) {
        visit(next);
      }
    }
    path.pop();
    state.set(step.id ?? '', 'done');
  };
  for (const step of ctx.stepsById.values()) if (step.id && !state.has(step.id)) visit(step);
  return cycles.sort((a, b) => (a[0]?.index ?? 0) - (b[0]?.index ?? 0));
}

function rotate(cycle: RawStep[]): RawStep[] {
  let start = 0;
  cycle.forEach((s, i) => {
    if (s.index < (cycle[start]?.index ?? Infinity)) start = i;
  });
  return [...cycle.slice(start), ...cycle.slice(0, start)];
}

function cycleDiagnostic(ctx: CheckContext, cycle: RawStep[]): Diagnostic {
  const edges = cycle.map((from, i) => {
    const to = cycle[(i + 1) % cycle.length] ?? from;
    const need = from.needs.find((n) => n.name === to.id);
    const at = ctx.sourceMap.locate(stepPath(from, 'needs', need?.index ?? 0));
    return { at, message: `"${from.id ?? ''}" needs "${to.id ?? ''}"` };
  });
  const ids = [...cycle, cycle[0]].map((s) => s?.id ?? '');
  const first = edges[0]?.at ?? ctx.sourceMap.locate([]);
  return {
    severity: 'error',
    code: 'needs-cycle',
    message: `dependency cycle: ${ids.join(' → ')}`,
    hint: 'each step needs the next one, so none of them can start: remove one of these needs',
    related: edges.map((e) => ({ file: e.at.file, line: e.at.line, column: e.at.column, message: e.message })),
    ...first,
  };
}
