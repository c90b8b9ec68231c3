import { Command, Option } from 'commander';
import type { ExitCode } from '../util/errors.js';
import { registerLabCommand } from './commands/lab.js';
import { positiveInt } from './options.js';
import { registerRulesCommand } from './commands/rules.js';
import { drctlVersion } from './version.js';
import type { CliIO, SetExit } from './io.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Options shared by commands that resolve a runbook's params. */
export function withParamOptions(cmd: Command): Command {
  return cmd
    .option('--set <key=value>', 'set a runbook param (repeatable; YAML values: --set cut=[hz-a,hz-b])', collect)
    .option('--params-file <file>', 'YAML file of param values')
    .option('--plugin <module>', 'load step kinds from a plugin module (repeatable)', collect);
}

/** Options shared by run and drill. */
export function withRunOptions(cmd: Command): Command {
  return withParamOptions(cmd)
    .option('-y, --yes', 'confirm without asking (required without a terminal)')
    .option('--dry-run', 'plan only: observe everything read-only, change nothing (exit 0 none, 2 pending)')
    .option('--approve <step>', 'pre-approve a gate step (repeatable); unattended gates fail closed without it', collect)
    .option('--concurrency <n>', 'steps to run at once (overrides the runbook)', positiveInt('--concurrency'))
    .addOption(new Option('--on-failure <mode>', 'on a failed step: stop starting new ones, or roll back applied ones').choices(['stop', 'rollback']))
    .option('--plan <file>', 'apply a plan saved by `plan -o`: refused (exit 4) if the runbook or the observed live state changed since')
    .option('--lease <duration>', 'lock lease, renewed while the run lives (default 15s; also DRCTL_LEASE)');
}

/**
 * The commander program. Only commander is imported eagerly; each command's module (and with it
 * yaml, ajv, execa, listr2, pino, ioredis) is imported when that command runs, to keep start-up fast.
 */
export function buildProgram(io: CliIO, setExit: SetExit): Command {
  const program = new Command('drctl')
    .description('Data-center and city failover as declarative, idempotent, timed runbooks')
    .version(drctlVersion(), '-V, --version')
    .option('--json', 'machine-readable output (one JSON document, or NDJSON events for run/drill)')
    .option('--color', 'colours even when not on a terminal (also FORCE_COLOR)')
    .option('--no-color', 'no colours (also NO_COLOR)')
    .option('--debug', 'print stacks and causes of errors (also DRCTL_DEBUG=1)')
    .addOption(new Option('--state <dir|url>', 'state store: a folder, redis://host:port[/db][?prefix=P], redis://a:1,b:2 or redis+sentinel://h1:p1,h2:p2/MASTER').env('DRCTL_STATE').default('.drctl'))
    .exitOverride()
    .showHelpAfterError('(run drctl --help for usage)')
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  const act = <A extends unknown[]>(load: () => Promise<(io: CliIO, ...args: A) => Promise<ExitCode>>) =>
    async (...args: A): Promise<void> => setExit(await (await load())(io, ...args));

  program.command('validate').description('check runbooks: schema, kinds, needs, cycles, durations, references (file:line:column)')
    .argument('<runbook...>').option('--plugin <module>', 'plugin module with step kinds (repeatable)', collect)
    .action(act(async () => (await import('./commands/validate.js')).validateCommand));
  program.command('schema').description('print the runbook JSON Schema (for editors: # yaml-language-server: $schema=...)')
    .action(act(async () => (await import('./commands/schema.js')).schemaCommand));
  withParamOptions(program.command('plan').description('dry-run: observe read-only, show what would change (exit 0 nothing, 2 changes, 1 error)')
    .argument('<runbook>').option('-o, --out <file>', 'save the plan (JSON) for a later `run --plan`'))
    .action(act(async () => (await import('./commands/plan.js')).planCommand));
  withRunOptions(program.command('run').description('run the switch: readiness, lock, journal, steps, timing').argument('<runbook>'))
    .action(act(async () => (await import('./commands/run.js')).runCommandAction('run')));
  withRunOptions(program.command('drill').description('run the switch, verify it, then fail back in reverse order; report both halves').argument('<runbook>'))
    .action(act(async () => (await import('./commands/run.js')).runCommandAction('drill')));
  withParamOptions(program.command('rehearse').description('network-cut rehearsal for cron: schedule → steady state → fault (t0) → detect → switch → recovered (RTO) → restore → fail back')
    .argument('<runbook>'))
    .option('-y, --yes', 'confirm without asking (required without a terminal; it never prompts otherwise)')
    .option('--dry-run', 'read-only: schedule verdict, readiness, steady state, stop conditions, the fault target, the plan and a predicted RTO (exit 0 ready, 1 not, 5 would be skipped)')
    .option('--ignore-schedule', 'run outside the schedule policy (an SRE at a terminal; cron should not)')
    .option('--concurrency <n>', 'steps to run at once (overrides the runbook)', positiveInt('--concurrency'))
    .option('--lease <duration>', 'lock lease, renewed while the rehearsal lives (default 15s; also DRCTL_LEASE)')
    .action(act(async () => (await import('./commands/rehearse.js')).rehearseCommand));
  program.command('status').description('runs in progress, their steps, and who holds each lock')
    .action(act(async () => (await import('./commands/status.js')).statusCommand));
  program.command('history').description('past runs with their outcome and duration; for rehearsals the RTO, its trend and regressions')
    .option('--runbook <name>', 'only runs of this runbook').option('-n, --limit <n>', 'at most n runs', positiveInt('--limit'), 20)
    .action(act(async () => (await import('./commands/history.js')).historyCommand));
  program.command('report').description('a run\'s report: timing of every step (html: one self-contained file with the timeline, RTO breakdown and trend)').argument('<run-id>')
    .addOption(new Option('-f, --format <format>', 'report format').choices(['json', 'md', 'junit', 'html']).default('md'))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(act(async () => (await import('./commands/report.js')).reportCommand));
  program.command('resume').description('continue an interrupted run where it stopped (refuses a changed runbook unless --force)').argument('<run-id>')
    .option('--force', 'resume although the runbook changed or the journal has unreadable lines').option('-y, --yes', 'confirm without asking')
    .option('--runbook <file>', 'the runbook file, when it is not where the run found it')
    .option('--assume-applied <step>', 'an in-flight step that cannot be observed: its change is in place, record it applied (repeatable)', collect)
    .option('--reapply <step>', 'an in-flight step that cannot be observed: apply it again (repeatable)', collect)
    .option('--approve <step>', 'pre-approve a gate step (repeatable)', collect).option('--plugin <module>', 'plugin module with step kinds (repeatable)', collect)
    .option('--lease <duration>', 'lock lease (default 15s; also DRCTL_LEASE)')
    .action(act(async () => (await import('./commands/resume.js')).resumeCommand));
  program.command('rollback').description('undo a run\'s applied steps in reverse order, from the before-states in its journal').argument('<run-id>')
    .option('--force', 'proceed although the journal has unreadable lines').option('-y, --yes', 'confirm without asking')
    .option('--plugin <module>', 'plugin module with step kinds (repeatable)', collect).option('--lease <duration>', 'lock lease (default 15s; also DRCTL_LEASE)')
    .action(act(async () => (await import('./commands/rollback.js')).rollbackCommand));
  program.command('unlock').description('remove a lock whatever its holder (recorded; the holder is fenced out)').argument('<scope>')
    .option('--force', 'really remove it')
    .action(act(async () => (await import('./commands/unlock.js')).unlockCommand));
  registerRulesCommand(program, io, setExit);
  registerLabCommand(program, io, setExit);
  return program;
}
