import type { Command } from 'commander';
import { canonicalJson } from '../../plan/build-plan.js';
import type { Catalog, CatalogScenario } from '../../runbook/catalog.js';
import { resolveLostNames } from '../../runbook/lost-names.js';
import { lookupScenario } from '../../runbook/scenario-lookup.js';
import { confirmationRequired, DrctlError, ExitCode, usageError } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { envelope } from '../output/json.js';
import { catalogOf, setFlagsFor, type CatalogFlags } from './catalog-inputs.js';
import { runCommandAction, type RunFlags } from './run.js';

export interface RespondFlags extends CatalogFlags {
  readonly lost?: string;
  readonly scenario?: string;
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  readonly approve?: string[];
  readonly concurrency?: number;
  readonly lease?: string;
}

/**
 * drctl respond --lost hz-a,hz-b [PATH...] (one-click recovery): the catalog's scenario for that loss
 * (exactly, else the smallest covering it; a tie is refused, exit 3), its plan with the scenario's
 * params, then each of its runbooks run like `drctl run` (confirmation, lock, journal, report), one after
 * the other. --dry-run: the plans (exit 0 nothing to change, 2 changes, 1 a step cannot be observed).
 */
export async function respondCommand(io: CliIO, paths: string[], flags: RespondFlags, cmd: Command): Promise<ExitCode> {
  const catalog = await catalogOf(paths, flags);
  const lost = resolveLostNames(flags.lost ?? '', { topology: catalog.topology });
  const scenario = pickScenario(catalog, lost, flags.scenario);
  const setFor = setFlagsFor(catalog, flags.set);
  const parts = scenario.parts.map((p) => {
    const entry = catalog.runbooks.find((r) => r.runbook === p.runbook);
    // the scenario's params first: --set still wins (as rehearse --scenario)
    const set = [...Object.entries(p.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`), ...(entry ? setFor(entry) : [])];
    return { runbook: p.runbook, params: p.params, set };
  });
  for (const name of flags.approve ?? []) {
    if (!parts.some((p) => p.runbook.steps.some((s) => s.id === name)))
      throw usageError(`--approve ${name}: no runbook of scenario ${scenario.name} has a step "${name}"`);
  }
  const header = `respond to the loss of ${lost.join(', ')}: scenario ${scenario.name}${scenario.description ? ` (${scenario.description})` : ''}, ${parts.length} runbook${parts.length === 1 ? '' : 's'}${parts.length > 1 ? ', one after the other' : ''}`;
  const runFlags = (p: (typeof parts)[number], extra: Partial<RunFlags>): RunFlags => ({
    set: p.set,
    plugin: flags.plugin ?? [],
    approve: flags.approve ?? [],
    // the scenario's lost data centers reach the switch's steps (ctx.lost), as run --lost
    lostDcs: lost,
    ...extra,
    ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
    ...(flags.lease === undefined ? {} : { lease: flags.lease }),
  });
  const run = runCommandAction('run');

  if (flags.dryRun || (!flags.yes && io.interactive)) {
    // the observed plan of each runbook: the result (--dry-run), or shown before the one confirmation
    const plans: { runbook: string; file: string; params: unknown; code: ExitCode; plan: unknown }[] = [];
    if (!io.json || !flags.dryRun) io.err(header);
    for (const p of parts) {
      const captured: string[] = [];
      const shown: CliIO =
        flags.dryRun && io.json
          ? { ...io, out: (t) => captured.push(t) }
          : flags.dryRun
            ? io
            : { ...io, json: false, out: (t) => io.err(t) };
      if (!io.json || !flags.dryRun) shown.out(`\n== ${p.runbook.name} (${p.runbook.file}) with ${canonicalJson(p.params)}`);
      const code = await run(shown, p.runbook.file, runFlags(p, { dryRun: true }), cmd);
      plans.push({
        runbook: p.runbook.name,
        file: p.runbook.file,
        params: p.params,
        code,
        plan: captured.length > 0 ? (JSON.parse(captured.join('')) as { result: unknown }).result : undefined,
      });
    }
    const code = plans.some((x) => x.code === ExitCode.failed)
      ? ExitCode.failed
      : (plans.find((x) => x.code !== ExitCode.ok)?.code ?? ExitCode.ok);
    if (flags.dryRun) {
      if (io.json) io.out(envelope('respond', code !== ExitCode.failed, { lost, scenario: scenarioJson(scenario), plans }));
      return code;
    }
    if (
      !(await io.confirm(
        `Respond to the loss of ${lost.join(', ')} with ${scenario.name} (${parts.map((p) => p.runbook.name).join(', ')}) now?`,
      ))
    ) {
      io.err('Nothing was changed.');
      return ExitCode.refused;
    }
  } else if (!flags.yes) {
    throw confirmationRequired(`respond to the loss of ${lost.join(', ')}`);
  } else {
    // --yes (a disaster, maybe unattended): what will run, without spending the time of observing it first (as run --yes)
    io.err(header);
    for (const p of parts)
      io.err(
        `  ${p.runbook.name} (${p.runbook.file}) with ${canonicalJson(p.params)}: ${p.runbook.steps.map((s) => `${s.id} (${s.kind})`).join(' → ')}`,
      );
  }
  let first: ExitCode = ExitCode.ok;
  const started: { runId: string; runbook: string }[] = [];
  for (const p of parts) {
    io.err(`\n== ${p.runbook.name}`);
    const onStarted = (runId: string): void => void started.push({ runId, runbook: p.runbook.name });
    const code = await run(io, p.runbook.file, runFlags(p, { yes: true, onStarted }), cmd);
    if (first === ExitCode.ok) first = code;
    // a failed part does not keep the other parts of the estate from switching; an interrupt stops here
    if (code === ExitCode.interrupted) break;
  }
  // failing back is undoing each run, the last one first
  if (started.length > 0)
    io.err(
      `\nto fail back once ${lost.join(', ')} ${lost.length === 1 ? 'is' : 'are'} back: ${[...started]
        .reverse()
        .map((r) => `drctl rollback ${r.runId} (${r.runbook})`)
        .join('; then ')}`,
    );
  return first;
}

/** The scenario answering the loss; none, or two that tie, is refused (exit 3), listing what there is. */
function pickScenario(catalog: Catalog, lost: readonly string[], name: string | undefined): CatalogScenario {
  const pool = name === undefined ? catalog.scenarios : catalog.scenarios.filter((s) => s.name === name);
  if (name !== undefined && pool.length === 0)
    throw usageError(
      `--scenario ${name}: no scenario of the catalog has this name`,
      `its scenarios: ${catalog.scenarios.map((s) => s.name).join(', ') || '(none)'}`,
    );
  const found = lookupScenario(pool, lost);
  const list = (ss: readonly CatalogScenario[]): string =>
    ss.map((s) => `${s.name} (loses ${s.lost.join(', ')}; ${s.parts.map((p) => p.runbook.name).join(', ')})`).join('; ');
  if (found.status === 'plan') return found.scenario;
  if (found.status === 'ambiguous') {
    throw new DrctlError(
      'respond-ambiguous',
      ExitCode.invalidInput,
      `${found.candidates.length} scenarios answer the loss of ${lost.join(', ')} equally (${found.match}): ${list(found.candidates)}`,
      {
        hint: 'name one with --scenario NAME, or give the catalog one scenario for this loss',
      },
    );
  }
  throw new DrctlError(
    'respond-no-plan',
    ExitCode.invalidInput,
    `NO PLAN: no scenario of the catalog covers the loss of ${lost.join(', ')}${name === undefined ? '' : ` (--scenario ${name})`}`,
    {
      hint: `the catalog's scenarios: ${list(catalog.scenarios) || '(none)'}; drctl assess shows every scope without a plan`,
    },
  );
}

const scenarioJson = (s: CatalogScenario) => ({
  name: s.name,
  description: s.description ?? null,
  lost: s.lost,
  runbooks: s.parts.map((p) => ({ name: p.runbook.name, file: p.runbook.file, params: p.params })),
});
