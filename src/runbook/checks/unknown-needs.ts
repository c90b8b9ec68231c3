import type { Diagnostic } from '../../util/diagnostic.js';
import { didYouMean, suggestionSuffix } from '../../util/did-you-mean.js';
import { nameOf, stepPath, type Check } from './context.js';

/** `needs` naming a step that does not exist. */
export const checkUnknownNeeds: Check = (ctx) => {
  const ids = [...ctx.stepsById.keys()];
  const out: Diagnostic[] = [];
  for (const step of ctx.steps) {
    for (const need of step.needs) {
      if (ctx.stepsById.has(need.name)) continue;
      const suggestion = didYouMean(
        need.name,
        ids.filter((id) => id !== step.id),
      );
      out.push({
        severity: 'error',
        code: 'unknown-need',
        message: `${nameOf(step)} needs "${need.name}", which is not a step${suggestionSuffix(suggestion)}`,
        ...(suggestion ? { hint: `did you mean "${suggestion}"?` } : {}),
        ...ctx.sourceMap.locate(stepPath(step, 'needs', need.index)),
      });
    }
  }
  return out;
};
