import type { KindRegistry } from '../../kinds/registry.js';
import { observeAll } from '../../plan/observe-all.js';
import { buildPlan } from '../../plan/build-plan.js';
import { predictStepDurations } from '../../plan/predict.js';
import type { Plan } from '../../plan/types.js';
import type { Runbook } from '../../runbook/types.js';
import type { RunMeta } from '../../model/records.js';
import { openStateStore } from '../../state/open-store.js';
import { createContextFactory } from '../../engine/context.js';
import { realClock } from '../../util/clock.js';
import { nullLogger } from '../../util/logger.js';
import type { RuntimeScope } from '../../runbook/runtime-scope.js';

/** observe → plan: read-only against the live world, with predictions from this runbook's history. */
export async function planRunbook(
  runbook: Runbook,
  registry: KindRegistry,
  scope: RuntimeScope,
  runs: readonly RunMeta[],
  signal: AbortSignal,
  lost?: readonly string[],
): Promise<Plan> {
  const makeContext = createContextFactory({
    runId: 'plan',
    baseDir: runbook.baseDir,
    clock: realClock,
    log: nullLogger,
    emit: async () => undefined,
    approve: async () => false,
  });
  const observations = await observeAll({
    runbook,
    registry,
    signal,
    interpolate: (step, outputsOf) => scope.interpolate(step.with, outputsOf),
    makeContext: (stepId, sig) => makeContext(stepId, sig, {}, lost),
  });
  const history = runs.filter((r) => r.runbook.name === runbook.name && r.status === 'succeeded');
  return buildPlan({
    runbook,
    registry,
    observations,
    predicted: predictStepDurations(history),
    historyRuns: history.length,
    now: new Date(),
    params: scope.params,
    lost,
  });
}

/** Exit code of a plan: 1 when a step could not be observed, 2 when changes are pending, else 0. */
export function planExitCode(plan: Plan): 0 | 1 | 2 {
  if (plan.counts.unknown > 0) return 1;
  return plan.counts.change + plan.counts.gate > 0 ? 2 : 0;
}

/** Every run in the state store (a folder or Redis), newest first: the history plans predict from. */
export async function readRunHistory(state: string): Promise<RunMeta[]> {
  const store = await openStateStore(state);
  try {
    return await store.listRuns();
  } finally {
    await store.close();
  }
}
