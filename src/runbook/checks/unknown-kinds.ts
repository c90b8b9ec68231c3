import type { Diagnostic } from '../../util/diagnostic.js';
import { didYouMean, suggestionSuffix } from '../../util/did-you-mean.js';
import { nameOf, stepPath, type Check } from './context.js';

/** A kind the registry does not know, with a did-you-mean over the registered names. */
export const checkUnknownKinds: Check = (ctx) => {
  const names = ctx.registry.names();
  const out: Diagnostic[] = [];
  for (const step of ctx.steps) {
    if (step.kind === undefined || ctx.registry.get(step.kind)) continue;
    const suggestion = didYouMean(step.kind, names);
    const known = `known kinds: ${names.join(', ')}`;
    out.push({
      severity: 'error',
      code: 'unknown-kind',
      message: `unknown kind "${step.kind}" in ${nameOf(step)}${suggestionSuffix(suggestion)}`,
      hint: suggestion ? `did you mean "${suggestion}"? ${known}` : `${known} (plug-in kinds need spec.plugins or --plugin)`,
      ...ctx.sourceMap.locate(stepPath(step, 'kind')),
    });
  }
  return out;
};
