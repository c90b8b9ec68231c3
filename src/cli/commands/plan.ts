import type { Command } from 'commander';
import type { ExitCode } from '../../util/errors.js';
import { loadValidRunbook } from '../load-runbook.js';
import { buildRuntimeScope } from '../../runbook/runtime-scope.js';
import type { CliIO } from '../io.js';
import { writeDocument } from '../output/document.js';
import { envelope } from '../output/json.js';
import { renderPlan } from '../output/plan-human.js';
import { createStyle } from '../output/style.js';
import { planExitCode, planRunbook, readRunHistory } from './plan-runbook.js';

export interface PlanFlags {
  readonly set?: string[];
  readonly paramsFile?: string;
  readonly plugin?: string[];
  readonly out?: string;
  readonly diff?: boolean;
}

/** drctl plan RUNBOOK: observe read-only and print what would change. Exit 0 nothing, 2 changes, 1 error. */
export async function planCommand(io: CliIO, file: string, flags: PlanFlags, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const { runbook, registry, warnings } = await loadValidRunbook(file, flags.plugin ?? []);
  const scope = await buildRuntimeScope(runbook, flags);
  const plan = await planRunbook(runbook, registry, scope, await readRunHistory(state), new AbortController().signal);
  const code = planExitCode(plan);
  // -o FILE saves the plan (what `run --plan FILE` applies); -o - prints that saved plan instead of the view
  if (flags.out !== undefined) await writeDocument(io, flags.out, `${scope.redactText(JSON.stringify(plan, null, 2))}\n`, { mode: 0o600 });
  if (flags.out === '-') return code;
  if (io.json) io.out(scope.redactText(envelope('plan', code !== 1, plan, warnings)));
  else io.out(scope.redactText(renderPlan(plan, createStyle(io.color.out), { diff: flags.diff === true })));
  return code;
}
