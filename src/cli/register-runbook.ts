import { Argument, type Command } from 'commander';
import { toFile } from './output/document-act.js';
import { outOption } from './output/document.js';
import { collect, positiveInt, withParamOptions, withRunOptions } from './options.js';
import type { Act } from './io.js';

/** Commands that read runbooks and kinds: validate, schema, plan, run, drill, rehearse, kinds, explain, completion. */
export function registerRunbookCommands(program: Command, act: Act): void {
  program
    .command('validate')
    .description('check runbooks and topology files: schema, kinds, needs, cycles, durations, references (file:line:column)')
    .argument('<file...>')
    .option('--plugin <module>', 'plugin module with step kinds (repeatable)', collect)
    .addOption(outOption('write the result to a file'))
    .action(act(toFile(async () => (await import('./commands/validate.js')).validateCommand)));
  program
    .command('schema')
    .description(
      "print a JSON Schema: the runbook's (for editors: # yaml-language-server: $schema=...), the topology's, or a document's (--list)",
    )
    .argument('[name]', 'runbook (default), topology, or a document or event stream (see --list)')
    .option('--list', 'the published schemas and their files')
    .addOption(outOption('write the schema to a file'))
    .action(act(toFile(async () => (await import('./commands/schema.js')).schemaCommand)));
  withParamOptions(
    program
      .command('plan')
      .description('dry-run: observe read-only, show what would change (exit 0 nothing, 2 changes, 1 error)')
      .argument('<runbook>')
      .option('--diff', 'show each change as a diff of the observed and the desired state (as terraform plan)')
      .addOption(outOption('save the plan (JSON) for a later `run --plan`')),
  ).action(act(async () => (await import('./commands/plan.js')).planCommand));
  withRunOptions(
    program.command('run').description('run the switch: readiness, lock, journal, steps, timing').argument('<runbook>'),
  ).action(act(async () => (await import('./commands/run.js')).runCommandAction('run')));
  withRunOptions(
    program
      .command('drill')
      .description('run the switch, verify it, then fail back in reverse order; report both halves')
      .argument('<runbook>'),
  ).action(act(async () => (await import('./commands/run.js')).runCommandAction('drill')));
  withParamOptions(
    program
      .command('rehearse')
      .description(
        "network-cut rehearsal for cron: schedule → steady state → fault (t0) → detect → switch → recovered (RTO) → restore → fail back. The switch is told the side the fault cuts (spec.fault.lost, else the fault kind's dcs): it does not wait on members there",
      )
      .argument('<runbook>'),
  )
    .option('-y, --yes', 'confirm without asking (required without a terminal; it never prompts otherwise; also DRCTL_YES=1)')
    .option(
      '--dry-run',
      'read-only: schedule verdict, readiness, steady state, stop conditions, the fault target, the plan and a predicted RTO (exit 0 ready, 1 not, 5 would be skipped)',
    )
    .option('--ignore-schedule', 'run outside the schedule policy (an SRE at a terminal; cron should not)')
    .option('--scenario <name>', "rehearse one of the runbook's scenarios (spec.scenarios): its params; assess counts the rehearsal for it")
    .option('--ack <run-id>', "acknowledge the failed rehearsal that paused this runbook's schedule (rehearses nothing)")
    .option('--concurrency <n>', 'steps to run at once (overrides the runbook)', positiveInt('--concurrency'))
    .option('--lease <duration>', 'lock lease, renewed while the rehearsal lives (default 15s; also DRCTL_LEASE)')
    .action(act(async () => (await import('./commands/rehearse.js')).rehearseCommand));
  program
    .command('kinds')
    .description('the step kinds, built-in and from --plugin modules, each with what it does')
    .option('--plugin <module>', 'plugin module with step kinds (repeatable)', collect)
    .addOption(outOption('write the list to a file'))
    .action(act(toFile(async () => (await import('./commands/kinds.js')).kindsCommand)));
  program
    .command('explain')
    .description("a step kind's parameters (under with:), their types, which are required, and its outputs")
    .argument('<kind>')
    .option('--plugin <module>', 'plugin module with step kinds (repeatable)', collect)
    .addOption(outOption('write the text to a file'))
    .action(act(toFile(async () => (await import('./commands/kinds.js')).explainCommand)));
  program
    .command('completion')
    .description('print the shell completion script (bash or zsh)')
    .addArgument(new Argument('<shell>').choices(['bash', 'zsh']))
    .action(act(async () => (await import('./commands/completion.js')).completionCommand));
}
