import type { Command } from 'commander';
import { ExitCode } from '../../util/errors.js';
import { buildRunbookJsonSchema } from '../../runbook/schema.js';
import { baseRegistry } from '../load-runbook.js';
import type { CliIO } from '../io.js';

/** drctl schema: the runbook JSON Schema (built-in kinds' params included) for editor completion. */
export async function schemaCommand(io: CliIO, _opts: unknown, _cmd: Command): Promise<ExitCode> {
  io.out(JSON.stringify(buildRunbookJsonSchema(await baseRegistry()), null, 2));
  return ExitCode.ok;
}
