import type { Command } from 'commander';
import { collect, positiveInt } from './options.js';
import type { Act } from './io.js';
import { catalogOptions } from './register-catalog.js';

/** drctl respond (one-click recovery) and drctl lever engage|release|status (the safety lever). */
export function registerSafetyCommands(program: Command, act: Act): void {
  catalogOptions(
    program
      .command('respond')
      .description(
        "one-click recovery: the catalog's scenario for a loss (--lost hz-a,hz-b or a city), its plan with the scenario's params, then its runbooks run like `run`",
      ),
  )
    .requiredOption('--lost <names>', 'the data centers (or cities) lost, e.g. hz-a,hz-b or hz')
    .option('--scenario <name>', 'answer with this scenario (when two answer the loss equally)')
    .option('--set <key=value>', "set a param of every runbook that declares it (repeatable; over the scenario's params)", collect)
    .option('-y, --yes', 'confirm without asking (required without a terminal; also DRCTL_YES=1)')
    .option('--dry-run', "the plans only, with the scenario's params: change nothing (exit 0 none, 2 pending, 1 a step cannot be observed)")
    .option('--approve <step>', 'pre-approve a gate step (repeatable)', collect)
    .option('--concurrency <n>', 'steps to run at once (overrides the runbooks)', positiveInt('--concurrency'))
    .option('--lease <duration>', 'lock lease (default 15s; also DRCTL_LEASE)')
    .action(act(async () => (await import('./commands/respond.js')).respondCommand));
  const lever = program
    .command('lever')
    .description(
      'the safety lever: while engaged, rehearse and drill refuse to start (exit 5) and a running rehearsal aborts; run and respond go ahead',
    );
  lever
    .command('engage')
    .description('engage the lever (kept in the state store: every controller sharing it sees it)')
    .requiredOption('--reason <text>', 'why (shown to everyone it refuses, recorded with the skipped runs)')
    .action(act(async () => (await import('./commands/lever.js')).leverEngageCommand));
  lever
    .command('release')
    .description('release the lever: rehearsals and drills may start again')
    .action(act(async () => (await import('./commands/lever.js')).leverReleaseCommand));
  lever
    .command('status')
    .description('engaged (by whom, since when, why) or released; exit 0 either way')
    .action(act(async () => (await import('./commands/lever.js')).leverStatusCommand));
}
