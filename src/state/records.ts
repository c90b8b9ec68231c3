import type { EngineEvent, RunMode, RunStatus, RunSummary } from '../engine/events.js';

export const JOURNAL_SCHEMA_VERSION = 1;

/** One journal line: an engine event plus its sequence number (NDJSON, fsync'd per line). */
export type JournalRecord = EngineEvent & { readonly schemaVersion: number; readonly seq: number };

/** run.json: the run's header, rewritten atomically at start and end. */
export interface RunMeta {
  readonly schemaVersion: number;
  readonly runId: string;
  readonly mode: RunMode;
  readonly runbook: { readonly name: string; readonly file: string; readonly hash: string };
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly endedAt: string | undefined;
  readonly durationMs: number | undefined;
  readonly host: string;
  readonly user: string;
  readonly pid: number;
  readonly summary: RunSummary | undefined;
  /** For drill: the outcome of the switch half and the fail-back half. */
  readonly halves?: { readonly switch: RunStatus; readonly failBack: RunStatus | 'skipped' } | undefined;
}
