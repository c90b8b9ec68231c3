import { Option, type Command } from 'commander';
import { outOption } from './output/document.js';
import { collect, percent } from './options.js';
import type { Act } from './io.js';

/** Commands over the catalog of recovery plans (runbook files or folders): scenarios, assess, inspect. */
export function registerCatalogCommands(program: Command, act: Act): void {
  catalogOptions(
    program.command('scenarios').description('the catalog of recovery plans: the disasters each runbook answers (spec.scenarios)'),
  ).action(act(async () => (await import('./commands/scenarios.js')).scenariosCommand));
  catalogOptions(
    program
      .command('assess')
      .description(
        'which failure scopes (each data center, city, cross-city pair) the estate survives now, with which plan, at what cost; level and score (exit 0 all, 1 a finding)',
      ),
  )
    .option('--scope <names>', 'one scope: data centers or cities, e.g. hz-a,sh-b')
    .option('--set <key=value>', 'set a param of every runbook that declares it (repeatable)', collect)
    .option('--min-headroom <pct>', 'report a flip leaving a zone less headroom than this, in % (default 10)', percent('--min-headroom'))
    .addOption(
      new Option('--format <format>', 'text (a matrix), md, or html (a heat map, one self-contained file)')
        .choices(['text', 'md', 'html'])
        .default('text'),
    )
    .addOption(outOption('write the md/html report (or, with text, the JSON document) to a file'))
    .action(act(async () => (await import('./commands/assess.js')).assessCommand));
  catalogOptions(
    program
      .command('inspect')
      .description(
        'for cron: readiness and steady state, plans, the assessment of every catalogued scenario, an engaged safety lever and paused runbooks; recorded as an inspection with its findings and drift (exit 0 clean, 1 findings)',
      ),
  )
    .option('--set <key=value>', 'set a param of every runbook that declares it (repeatable)', collect)
    .option('--plan <file>', 'a saved plan (`plan -o`) to check it has not gone stale (repeatable)', collect)
    .option('--min-headroom <pct>', 'report a flip leaving a zone less headroom than this, in % (default 10)', percent('--min-headroom'))
    .option('--accept-coverage', 'scopes the catalog no longer covers are expected from now on (not findings)')
    .action(act(async () => (await import('./commands/inspect.js')).inspectCommand));
}

/** The catalog's paths and where its topology and kinds come from. */
export const catalogOptions = (c: Command): Command =>
  c
    .argument('[path...]', 'runbook files or folders (default: the current folder)')
    .option('--topology <file>', "the estate's topology (default: the runbooks' spec.topology)")
    .option('--plugin <module>', 'plugin module with step kinds (repeatable)', collect);
