import { Option, type Command } from 'commander';
import { toFile } from './output/document-act.js';
import { outOption } from './output/document.js';
import { collect, positiveInt } from './options.js';
import type { Act } from './io.js';

/** Commands that read or act on recorded runs: status, history, report, resume, rollback, unlock. */
export function registerRecordCommands(program: Command, act: Act): void {
  program
    .command('status')
    .description('runs in progress, their steps, and who holds each lock')
    .addOption(outOption('write the status to a file'))
    .action(act(toFile(async () => (await import('./commands/status.js')).statusCommand)));
  program
    .command('history')
    .description('past runs with their outcome and duration; for rehearsals the RTO, its trend and regressions')
    .option('--runbook <name>', 'only runs of this runbook')
    .option('-n, --limit <n>', 'at most n runs', positiveInt('--limit'), 20)
    .addOption(outOption('write the history to a file'))
    .action(act(toFile(async () => (await import('./commands/history.js')).historyCommand)));
  program
    .command('report')
    .description(
      "a run's report: why it failed, timing of every step and check, budgets (html: one self-contained file with the timeline, RTO breakdown and trend)",
    )
    .argument('<run-id>')
    .addOption(
      new Option('-f, --format <format>', 'report format (--json is --format json)').choices(['json', 'md', 'junit', 'html']).default('md'),
    )
    .addOption(outOption('write the report to a file instead of stdout'))
    .action(act(async () => (await import('./commands/report.js')).reportCommand));
  program
    .command('resume')
    .description('continue an interrupted run where it stopped (refuses a changed runbook unless --force)')
    .argument('<run-id>')
    .option('--force', 'resume although the runbook changed or the journal has unreadable lines')
    .option('-y, --yes', 'confirm without asking (also DRCTL_YES=1)')
    .option('--runbook <file>', 'the runbook file, when it is not where the run found it')
    .option(
      '--assume-applied <step>',
      'an in-flight step that cannot be observed: its change is in place, record it applied (repeatable)',
      collect,
    )
    .option('--reapply <step>', 'an in-flight step that cannot be observed: apply it again (repeatable)', collect)
    .option('--approve <step>', 'pre-approve a gate step (repeatable)', collect)
    .option('--plugin <module>', 'plugin module with step kinds (repeatable)', collect)
    .option('--lease <duration>', 'lock lease (default 15s; also DRCTL_LEASE)')
    .action(act(async () => (await import('./commands/resume.js')).resumeCommand));
  program
    .command('rollback')
    .description("undo a run's applied steps in reverse order, from the before-states in its journal")
    .argument('<run-id>')
    .option('--force', 'proceed although the journal has unreadable lines')
    .option('-y, --yes', 'confirm without asking (also DRCTL_YES=1)')
    .option('--plugin <module>', 'plugin module with step kinds (repeatable)', collect)
    .option('--lease <duration>', 'lock lease (default 15s; also DRCTL_LEASE)')
    .action(act(async () => (await import('./commands/rollback.js')).rollbackCommand));
  program
    .command('unlock')
    .description('remove a lock whatever its holder (recorded; the holder is fenced out)')
    .argument('<scope>')
    .option('--force', 'really remove it')
    .action(act(async () => (await import('./commands/unlock.js')).unlockCommand));
}
