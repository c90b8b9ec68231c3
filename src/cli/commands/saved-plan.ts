import { readFile } from 'node:fs/promises';
import type { Plan } from '../../plan/types.js';
import { usageError } from '../../util/errors.js';
import { fsProblem } from '../../util/fs-problem.js';

/** Read a plan saved by `drctl plan -o FILE`. */
export async function loadSavedPlan(file: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw usageError(`--plan ${file}: ${fsProblem(e) ?? (e as Error).message}`, 'make one with `drctl plan RUNBOOK -o plan.json`');
  }
  let plan: Plan;
  try {
    plan = JSON.parse(text) as Plan;
  } catch (e) {
    throw usageError(`${file} is not a plan: ${(e as Error).message}`, 'make one with `drctl plan RUNBOOK -o plan.json`');
  }
  if (typeof plan?.fingerprint !== 'string' || typeof plan.runbook?.hash !== 'string' || !Array.isArray(plan.steps)) {
    throw usageError(`${file} is not a plan saved by \`drctl plan -o\` (no fingerprint)`);
  }
  return plan;
}

/** A saved plan against the runbook and the live plan (plan/saved-plan-fresh.ts). */
export { assertPlanFresh, assertPlanRunbook } from '../../plan/saved-plan-fresh.js';
