import type { Runbook } from '../runbook/types.js';
import { didYouMean, suggestionSuffix } from '../util/did-you-mean.js';
import { usageError } from '../util/errors.js';

/** --approve STEP names a gate step of the runbook: anything else is a usage error naming the flag (exit 3). */
export function assertApprovable(runbook: Runbook, approve: readonly string[]): void {
  const gates = runbook.steps.filter((s) => s.kind === 'gate').map((s) => s.id);
  const hint = gates.length > 0 ? `gate steps: ${gates.join(', ')}` : 'this runbook has no gate step';
  for (const id of approve) {
    const step = runbook.steps.find((s) => s.id === id);
    if (!step) throw usageError(`--approve ${id}: the runbook has no step "${id}"${suggestionSuffix(didYouMean(id, gates))}`, hint);
    if (step.kind !== 'gate')
      throw usageError(`--approve ${id}: step "${id}" is of kind ${step.kind}, not a gate (only gates ask for approval)`, hint);
  }
}
