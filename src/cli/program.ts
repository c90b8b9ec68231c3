import { Command, CommanderError, Option } from 'commander';
import { registerLabCommand } from './commands/lab.js';
import { registerRulesCommand } from './commands/rules.js';
import { ENVIRONMENT_HELP, helpAfter } from './help-text.js';
import type { Act, CliIO, SetExit } from './io.js';
import { applyYesFromEnv } from './options.js';
import { versionDocument } from './output/version.js';
import { registerCatalogCommands } from './register-catalog.js';
import { registerRecordCommands } from './register-records.js';
import { registerSafetyCommands } from './register-safety.js';
import { registerRunbookCommands } from './register-runbook.js';
import { drctlVersion } from './version.js';

/**
 * The commander program. Only commander is imported eagerly; each command's module (and with it
 * yaml, ajv, execa, listr2, pino, ioredis) is imported when that command runs, to keep start-up fast.
 */
export function buildProgram(io: CliIO, setExit: SetExit): Command {
  const program = new Command('drctl')
    .description('Data-center and city failover as declarative, idempotent, timed runbooks')
    // subcommands' help lists these global options too (they are accepted before or after the command)
    .configureHelp({ showGlobalOptions: true })
    .option('-V, --version', 'print the version (with --json: a JSON document)')
    .option('--json', 'machine-readable output: one JSON document (an NDJSON stream of events for run, drill, rehearse, resume, rollback)')
    .option('--color', 'colours even when not on a terminal (also FORCE_COLOR)')
    .option('--no-color', 'no colours (also NO_COLOR)')
    .option('--debug', 'print stacks and causes of errors (also DRCTL_DEBUG=1)')
    .addOption(
      new Option(
        '--state <dir|url>',
        'state store: a folder, redis://host:port[/db][?prefix=P], redis://a:1,b:2, redis+sentinel://h1:p1,h2:p2/MASTER or etcd://h1:p1,h2:p2[/PREFIX]',
      )
        .env('DRCTL_STATE')
        .default('.drctl'),
    )
    .exitOverride()
    .showHelpAfterError('(run drctl --help for usage)')
    .addHelpText('after', ENVIRONMENT_HELP)
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  program.on('option:version', () => {
    io.out(versionDocument(io.json));
    throw new CommanderError(0, 'commander.version', drctlVersion());
  });
  program.hook('preAction', (_program, action) => applyYesFromEnv(action));
  const act: Act =
    (load) =>
    async (...args) =>
      setExit(await (await load())(io, ...args));
  registerRunbookCommands(program, act);
  registerRecordCommands(program, act);
  registerCatalogCommands(program, act);
  registerSafetyCommands(program, act);
  registerRulesCommand(program, io, setExit);
  registerLabCommand(program, io, setExit);
  for (const c of program.commands) addHelpAfter(c, helpAfter(c.name()));
  return program;
}

/** A command's examples and exit codes end its help and its subcommands' (`rules flip --help`). */
function addHelpAfter(c: Command, after: string | undefined): void {
  if (!after) return;
  c.addHelpText('after', after);
  for (const sub of c.commands) addHelpAfter(sub, after);
}
