import { CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { renderDiagnostics } from './output/diagnostics.js';
import { createCliIO } from './output/context.js';
import { envelope, NDJSON_COMMANDS, ndjsonError } from './output/json.js';
import { createStyle } from './output/style.js';
import { buildProgram } from './program.js';
import { flagPathError } from './user-files.js';
import type { CliIO } from './io.js';
import { ExitCode, isDrctlError, type DrctlError } from '../util/errors.js';

/** The entry point: the only place that sets the exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  const json = argv.includes('--json');
  const color = argv.includes('--no-color') ? false : argv.includes('--color') ? true : undefined;
  const io = createCliIO({ json, color });
  const debug = argv.includes('--debug') || process.env.DRCTL_DEBUG === '1';
  let code: number;
  try {
    let exit: number = ExitCode.ok;
    const program = buildProgram(io, (c) => (exit = c));
    commandNames = new Set(program.commands.map((c) => c.name()));
    await program.parseAsync([...argv]);
    code = exit;
  } catch (e) {
    code = report(e, io, argv, debug);
  }
  process.exitCode = code;
}

function report(e: unknown, io: CliIO, argv: readonly string[], debug: boolean): number {
  if (e instanceof CommanderError) {
    // help and version "errors" asked for are successes; commander already printed them.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || (e.code === 'commander.help' && e.exitCode === 0))
      return ExitCode.ok;
    // a command group without its subcommand (`drctl rules`): commander printed the help on stderr; a usage error
    const missing = e.code === 'commander.help';
    const need = groupOf(argv).length > 0 ? `drctl ${groupOf(argv).join(' ')} needs a subcommand` : 'drctl needs a command';
    if (missing) io.err(`error: ${need}`);
    if (io.json) {
      const command = commandName(argv);
      const error = { code: 'usage', message: missing ? need : e.message.replace(/^error: /, '') };
      io.out(NDJSON_COMMANDS.has(command) ? ndjsonError(command, [], error) : envelope(command, false, null, [], error));
    }
    return ExitCode.invalidInput;
  }
  const pathError = isDrctlError(e) ? undefined : flagPathError(e, argv);
  if (pathError) return report(pathError, io, argv, debug);
  if (isDrctlError(e)) {
    printDrctlError(e, io, argv);
    if (debug && e.cause) io.err(String((e.cause as Error).stack ?? e.cause));
    return e.exitCode;
  }
  io.err(`drctl: internal error: ${(e as Error)?.message ?? String(e)}`);
  io.err((e as Error)?.stack ?? '');
  io.err('This is a bug in drctl: please report it with the command you ran.');
  return ExitCode.failed;
}

function printDrctlError(e: DrctlError, io: CliIO, argv: readonly string[]): void {
  if (io.json) {
    const command = commandName(argv);
    const error = { code: e.code, message: e.message, hint: e.hint, ...(e.details ? { details: e.details } : {}) };
    io.out(
      NDJSON_COMMANDS.has(command) ? ndjsonError(command, e.diagnostics, error) : envelope(command, false, null, e.diagnostics, error),
    );
    return;
  }
  if (e.diagnostics.length > 0) {
    io.err(renderDiagnostics(e.diagnostics, readSource, { color: io.color.err }));
  }
  const st = createStyle(io.color.err);
  io.err(`${st.red('error:')} ${e.message}`);
  if (e.hint) io.err(`${st.dim('hint:')} ${e.hint}`);
}

function readSource(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The program's top-level command names (known once the program is built). */
let commandNames: ReadonlySet<string> = new Set();

/** The command group the user named without a subcommand (`rules`), or nothing for the program itself. */
function groupOf(argv: readonly string[]): string[] {
  const name = commandName(argv);
  return commandNames.has(name) ? [name] : [];
}

/** The command the user ran: the first argument that names one (an option's value before it is not one). */
function commandName(argv: readonly string[]): string {
  const args = argv.slice(2);
  return args.find((a) => commandNames.has(a)) ?? args.find((a) => !a.startsWith('-')) ?? '';
}
