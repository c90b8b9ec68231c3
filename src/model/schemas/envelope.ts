import { arr, bool, diagnostic, int, mapOf, obj, schemaId, SCHEMA_DIALECT, str, type Schema } from './parts.js';

/** The error of a failed command, in its envelope (or on an NDJSON stream's last line). */
export const errorSchema = obj(
  { code: str('A stable code: usage, runbook-invalid, lock-held, run-not-found, ...'), message: str(), hint: str(), details: mapOf({}) },
  { optional: ['hint', 'details'] },
);

/**
 * The one document a command prints under --json: { schemaVersion, command, ok, result, diagnostics, error? }.
 * `ok` says whether the command did what it was asked (a report of a failed run is ok: true); on false,
 * `result` is null and `error` says why.
 */
export function documentSchema(name: string, commands: readonly string[], result: Schema, description: string): Schema {
  return {
    $schema: SCHEMA_DIALECT,
    $id: schemaId(name, 1),
    title: `drctl ${commands.join(' / ')} --json`,
    description,
    type: 'object',
    properties: {
      schemaVersion: { const: 1, description: "The version of this document shape (this schema's)" },
      command: { type: 'string', enum: commands },
      ok: bool('The command did what it was asked'),
      result: { anyOf: [result, { type: 'null' }] },
      diagnostics: arr(diagnostic),
      error: errorSchema,
    },
    required: ['schemaVersion', 'command', 'ok', 'result', 'diagnostics'],
    additionalProperties: false,
  };
}

export const versionResult = obj({
  drctl: str(),
  node: str(),
  runbookApiVersion: str(),
  schemaVersions: obj({ documents: int(), events: int(), journal: int(), report: int(), plan: int() }),
});
