import { readFile } from 'node:fs/promises';
import type { Plan } from '../../plan/types.js';
import type { Runbook } from '../../runbook/types.js';
import { DrctlError, ExitCode, usageError } from '../../util/errors.js';
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

const stale = (message: string, hint: string): DrctlError => new DrctlError('plan-stale', ExitCode.refused, message, { hint });

/** The plan was made from this runbook file (byte for byte). */
export function assertPlanRunbook(plan: Plan, file: string, runbook: Runbook): void {
  if (plan.runbook.hash !== runbook.hash) {
    throw stale(
      `runbook changed since the plan was made: ${file} has hash ${runbook.hash.slice(0, 12)}, the plan (${plan.createdAt}) was made from ${plan.runbook.hash.slice(0, 12)}; nothing was changed`,
      'make a new plan with `drctl plan RUNBOOK -o plan.json` and have it approved again',
    );
  }
}

/** The live world still looks as it did when the plan was made: same fingerprint, else name the steps. */
export function assertPlanFresh(saved: Plan, live: Plan): void {
  if (saved.fingerprint === live.fingerprint) return;
  const was = new Map(saved.steps.map((s) => [s.id, s]));
  const changed = live.steps.filter((s) => {
    const old = was.get(s.id);
    return !old || old.action !== s.action || JSON.stringify(old.before ?? null) !== JSON.stringify(s.before ?? null);
  }).map((s) => {
    const old = was.get(s.id);
    return old && old.action !== s.action ? `${s.id} (was ${old.action}: ${old.describe}; now ${s.action}: ${s.describe})` : `${s.id} (now: ${s.describe})`;
  });
  throw stale(
    `the live state changed since the plan was made (${saved.createdAt}): ${changed.length > 0 ? `observed state differs for step(s) ${changed.join(', ')}` : 'the fingerprint differs'}; nothing was changed`,
    'review a fresh plan (`drctl plan RUNBOOK -o plan.json`) before applying it',
  );
}
