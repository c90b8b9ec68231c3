import type { Command } from 'commander';
import type { ExitCode } from '../../util/errors.js';
import { loadValidRunbook } from '../load-runbook.js';
import { buildRuntimeScope } from '../runtime-scope.js';
import type { CliIO } from '../io.js';
import { writeUserFile } from '../user-files.js';
import { envelope } from '../output/json.js';
import { renderPlan } from '../output/plan-human.js';
import { createStyle } from '../output/style.js';
import { planExitCode, planRunbook, readRunHistory } from './plan-runbook.js';

export interface PlanFlags {
  readonly set?: string[];
  readonly paramsFile?: string;
  readonly plugin?: string[];
  readonly out?: string;
}

/** drctl plan RUNBOOK: observe read-only and print what would change. Exit 0 nothing, 2 changes, 1 error. */
export async function planCommand(io: CliIO, file: string, flags: PlanFlags, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const { runbook, registry, warnings } = await loadValidRunbook(file, flags.plugin ?? []);
  const scope = await buildRuntimeScope(runbook, flags);
  const plan = await planRunbook(runbook, registry, scope, await readRunHistory(state), new AbortController().signal);
  if (flags.out) await writeUserFile('-o', flags.out, `${scope.redactText(JSON.stringify(plan, null, 2))}\n`, { mode: 0o600 });
  const code = planExitCode(plan);
  if (io.json) io.out(scope.redactText(envelope('plan', code !== 1, plan, warnings)));
  else io.out(scope.redactText(renderPlan(plan, createStyle(io.color.out))));
  return code;
}
