import { EVENT_SCHEMA_VERSION, type EngineEvent } from '../../model/events.js';
import type { RunMeta } from '../../model/records.js';
import type { Diagnostic } from '../../util/diagnostic.js';

export const JSON_SCHEMA_VERSION = 1;

/** The one JSON document one-shot commands print under --json (ok: false still parses). */
export interface JsonEnvelope {
  readonly schemaVersion: number;
  readonly command: string;
  readonly ok: boolean;
  readonly result: unknown;
  readonly diagnostics: readonly Diagnostic[];
  readonly error?: {
    readonly code: string;
    readonly message: string;
    readonly hint?: string | undefined;
    readonly details?: Readonly<Record<string, unknown>> | undefined;
  };
}

export function envelope(
  command: string,
  ok: boolean,
  result: unknown,
  diagnostics: readonly Diagnostic[] = [],
  error?: JsonEnvelope['error'],
): string {
  const doc: JsonEnvelope = { schemaVersion: JSON_SCHEMA_VERSION, command, ok, result, diagnostics, ...(error ? { error } : {}) };
  return JSON.stringify(doc, null, 2);
}

/** Commands whose --json output is an NDJSON stream (a version line, events, a summary). */
export const NDJSON_COMMANDS: ReadonlySet<string> = new Set(['run', 'drill', 'resume', 'rollback', 'rehearse', 'respond']);

/** An error of an NDJSON command: the envelope's fields on one line, typed "error", so the stream stays NDJSON. */
export const ndjsonError = (command: string, diagnostics: readonly Diagnostic[], error: NonNullable<JsonEnvelope['error']>): string =>
  JSON.stringify({ type: 'error', schemaVersion: NDJSON_SCHEMA_VERSION, command, ok: false, diagnostics, error });

/**
 * NDJSON for long commands: first a version line, then engine events, then a summary line (the run
 * record). One version for the whole stream, NDJSON_SCHEMA_VERSION: the version line and the summary
 * line both carry it (the summary's own record, run.json, has a version of its own on disk).
 */
export const NDJSON_SCHEMA_VERSION = EVENT_SCHEMA_VERSION;
export const ndjsonVersionLine = (version: string): string =>
  JSON.stringify({ type: 'version', schemaVersion: NDJSON_SCHEMA_VERSION, drctl: version });
export const ndjsonEvent = (e: EngineEvent): string => JSON.stringify(e);
export const ndjsonSummary = (meta: RunMeta): string => JSON.stringify({ type: 'summary', ...meta, schemaVersion: NDJSON_SCHEMA_VERSION });
