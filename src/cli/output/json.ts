import { EVENT_SCHEMA_VERSION, type EngineEvent } from '../../engine/events.js';
import type { Diagnostic } from '../../util/diagnostic.js';

export const JSON_SCHEMA_VERSION = 1;

/** The one JSON document one-shot commands print under --json (ok: false still parses). */
export interface JsonEnvelope {
  readonly schemaVersion: number;
  readonly command: string;
  readonly ok: boolean;
  readonly result: unknown;
  readonly diagnostics: readonly Diagnostic[];
  readonly error?: { readonly code: string; readonly message: string; readonly hint?: string | undefined; readonly details?: Readonly<Record<string, unknown>> | undefined };
}

export function envelope(command: string, ok: boolean, result: unknown, diagnostics: readonly Diagnostic[] = [], error?: JsonEnvelope['error']): string {
  const doc: JsonEnvelope = { schemaVersion: JSON_SCHEMA_VERSION, command, ok, result, diagnostics, ...(error ? { error } : {}) };
  return JSON.stringify(doc, null, 2);
}

/** NDJSON for long commands: first line is the version, then engine events, then a summary line. */
export const ndjsonVersionLine = (version: string): string => JSON.stringify({ type: 'version', schemaVersion: EVENT_SCHEMA_VERSION, drctl: version });
export const ndjsonEvent = (e: EngineEvent): string => JSON.stringify(e);
