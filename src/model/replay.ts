/** What a journal replay (state/journal-replay.ts) hands the engine: the steps and commands of earlier processes of a run. */
import type { StepTiming } from './events.js';

/** A step finished by an earlier process of the same run (resume). */
export interface PriorStep {
  readonly status: 'applied' | 'skipped';
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly before: unknown;
  /** Its timing as journaled by the earlier process. */
  readonly timing?: StepTiming;
}

/** A command recorded by a `step.command` journal record. */
export interface RecordedCommand {
  readonly pid: number;
  /** Its start time as the OS records it (field 22 of /proc/PID/stat): a reused pid is never taken for it. */
  readonly startTime: string;
  readonly stepId: string;
  readonly command: string;
}
