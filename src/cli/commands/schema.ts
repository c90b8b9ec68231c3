import type { Command } from 'commander';
import { DOCUMENT_SCHEMAS, RECORD_SCHEMAS } from '../../model/schemas/index.js';
import { topologySchema } from '../../rules/topology-schema.js';
import { buildRunbookJsonSchema } from '../../runbook/schema.js';
import { ExitCode, usageError } from '../../util/errors.js';
import { didYouMean } from '../../util/did-you-mean.js';
import { baseRegistry } from '../load-runbook.js';
import type { CliIO } from '../io.js';
import { envelope } from '../output/json.js';

/** Every schema drctl publishes: name → its file under runbooks/schema/ and how to build it. */
export const PUBLISHED: Readonly<Record<string, { readonly file: string; readonly what: string; readonly build: () => Promise<unknown> }>> =
  {
    runbook: {
      file: 'runbook.schema.json',
      what: "runbook files (kind: Runbook), with every built-in kind's params",
      build: async () => buildRunbookJsonSchema(await baseRegistry()),
    },
    topology: { file: 'topology.schema.json', what: 'topology files (kind: Topology)', build: async () => topologySchema },
    ...Object.fromEntries(
      Object.entries(DOCUMENT_SCHEMAS).map(([name, s]) => [
        name,
        {
          file: s.file,
          what:
            name === 'events'
              ? `the NDJSON stream of ${s.commands.join(', ')} --json (one line)`
              : (s.usage ?? `${s.commands.join(', ')} --json`),
          build: async () => s.schema,
        },
      ]),
    ),
    ...Object.fromEntries(
      Object.entries(RECORD_SCHEMAS).map(([name, s]) => [name, { file: s.file, what: s.what, build: async () => s.schema }]),
    ),
  };

/** Names a schema was listed under before (still printed, not listed): `rehearse` until it was named for its file. */
const ALIASES: Readonly<Record<string, string>> = { rehearse: 'rehearse-preview' };

/** drctl schema [NAME] | --list: a published JSON Schema (default: the runbook's, for editors); a schema is JSON already, --list --json is a document. */
export async function schemaCommand(io: CliIO, name: string | undefined, flags: { list?: boolean }, _cmd: Command): Promise<ExitCode> {
  if (flags.list) {
    const rows = Object.entries(PUBLISHED).map(([n, s]) => ({ name: n, file: `runbooks/schema/${s.file}`, describes: s.what }));
    if (io.json) io.out(envelope('schema', true, { schemas: rows }));
    const [nameWidth, fileWidth] = [Math.max(...rows.map((r) => r.name.length)), Math.max(...rows.map((r) => r.file.length))];
    if (!io.json) for (const r of rows) io.out(`${r.name.padEnd(nameWidth)}  ${r.file.padEnd(fileWidth)}  ${r.describes}`);
    return ExitCode.ok;
  }
  const wanted = name ?? 'runbook';
  const entry = PUBLISHED[ALIASES[wanted] ?? wanted];
  if (!entry) {
    const hint = didYouMean(wanted, Object.keys(PUBLISHED));
    throw usageError(
      `no schema "${wanted}"${hint ? ` (did you mean "${hint}"?)` : ''}`,
      `the schemas: ${Object.keys(PUBLISHED).join(', ')} (drctl schema --list)`,
    );
  }
  io.out(JSON.stringify(await entry.build(), null, 2));
  return ExitCode.ok;
}
