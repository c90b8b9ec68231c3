import type { Runbook } from '../runbook/types.js';
import type { EngineEvent } from '../model/events.js';

type Started = Extract<EngineEvent, { type: 'run.started' }>;

/** The steps and budgets a run.started record lists: the report shows every budget from them, in every mode. */
export function startedSteps(runbook: Runbook): Pick<Started, 'steps' | 'budgetMs'> {
  return {
    steps: runbook.steps.map((s) => ({
      id: s.id,
      kind: s.kind,
      needs: s.needs,
      ...(s.budgetMs === undefined ? {} : { budgetMs: s.budgetMs }),
    })),
    ...(runbook.budgetMs === undefined ? {} : { budgetMs: runbook.budgetMs }),
  };
}
