import { runChecks } from '../engine/checks.js';
import { createContextFactory } from '../engine/context.js';
import type { EventInput } from '../model/events.js';
import type { InspectionCheck } from '../model/inspection.js';
import { buildPlan } from '../plan/build-plan.js';
import { predictStepDurations } from '../plan/predict.js';
import type { Plan } from '../plan/types.js';
import type { RunMeta } from '../model/records.js';
import { realClock } from '../util/clock.js';
import { nullLogger } from '../util/logger.js';
import { observeParts, type Part } from './observe-parts.js';

export interface RunbookInspection {
  readonly checks: readonly InspectionCheck[];
  readonly plan: Plan;
}

/**
 * One catalogued runbook, read-only, with its own params (defaults and --set): its readiness and
 * steady-state probes once each, and its plan (every step observed; a step that cannot be observed is a
 * finding). The probes and the observation run at once.
 */
export async function inspectRunbook(part: Part, runs: readonly RunMeta[], signal: AbortSignal): Promise<RunbookInspection> {
  const { runbook } = part;
  const checks: InspectionCheck[] = [];
  const makeContext = createContextFactory({
    runId: 'inspect',
    baseDir: runbook.baseDir,
    clock: realClock,
    log: nullLogger,
    emit: async () => undefined,
    approve: async () => false,
  });
  const record = async (e: EventInput): Promise<void> => {
    if (e.type === 'check.passed' || e.type === 'check.failed') {
      checks.push({
        runbook: runbook.name,
        group: e.group === 'steadyState' ? 'steadyState' : 'readiness',
        name: e.name,
        ok: e.type === 'check.passed',
        detail: e.detail,
      });
    }
  };
  const probe = (group: 'readiness' | 'steadyState') =>
    runChecks(group === 'readiness' ? runbook.readiness : runbook.steadyState, {
      group,
      clock: realClock,
      emit: record,
      interpolate: part.interpolateValue,
      makeContext: (name) => makeContext(name, signal, {}),
    });
  const [observed] = await Promise.all([observeParts([part], signal, 1), probe('readiness'), probe('steadyState')]);
  const observations = observed.get(part.key)?.observations ?? new Map();
  const history = runs.filter((r) => r.runbook.name === runbook.name && r.status === 'succeeded');
  const plan = buildPlan({
    runbook,
    registry: part.registry,
    observations,
    predicted: predictStepDurations(history),
    historyRuns: history.length,
    now: new Date(),
    params: part.params,
  });
  checks.sort((a, b) => a.group.localeCompare(b.group) || a.name.localeCompare(b.name));
  return { checks, plan };
}
