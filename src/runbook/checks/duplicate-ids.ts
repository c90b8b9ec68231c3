import type { Diagnostic } from '../../util/diagnostic.js';
import { stepPath, type Check } from './context.js';

/** Two steps with the same id: point at the second, with a note at the first. */
export const checkDuplicateIds: Check = (ctx) => {
  const out: Diagnostic[] = [];
  for (const step of ctx.steps) {
    if (step.id === undefined) continue;
    const first = ctx.stepsById.get(step.id);
    if (!first || first.index === step.index) continue;
    const at = ctx.sourceMap.locate(stepPath(first, 'id'));
    out.push({
      severity: 'error',
      code: 'duplicate-id',
      message: `duplicate step id "${step.id}": step #${first.index + 1} already uses it`,
      hint: 'step ids must be unique: needs and ${steps.ID.outputs...} refer to them',
      related: [{ file: at.file, line: at.line, column: at.column, message: `"${step.id}" first defined here` }],
      ...ctx.sourceMap.locate(stepPath(step, 'id')),
    });
  }
  return out;
};
