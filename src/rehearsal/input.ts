import type { SignalLike } from '../util/deadline.js';
import type { EventInput, RehearsalOutcome, RtoBreakdown } from '../model/events.js';
import type { ExecuteOutcome } from '../engine/executor.js';
import type { findBudgetOverruns } from '../engine/budgets.js';
import type { UndoOutcome } from '../engine/rollback.js';
import type { KindContext } from '../model/kind.js';
import type { KindRegistry } from '../kinds/registry.js';
import type { Runbook } from '../runbook/types.js';
import type { Clock } from '../util/clock.js';
import type { LeverReader } from './lever-watch.js';

export interface RehearsalInput {
  readonly runbook: Runbook;
  readonly registry: KindRegistry;
  readonly clock: Clock;
  readonly emit: (e: EventInput) => Promise<void>;
  /** `lost`: the data centers the switch's steps do not wait on (ctx.lost); none for everything else. */
  readonly makeContext: (id: string, signal: SignalLike, notes: Record<string, unknown>, lost?: readonly string[]) => KindContext;
  readonly interpolate: (value: unknown, outputsOf?: (stepId: string) => Readonly<Record<string, unknown>> | undefined) => unknown;
  /** First interrupt (or a lost lease): inject nothing more, start no new step; restore and fail back. */
  readonly stop: AbortSignal;
  /** Second interrupt: also cancel the running steps (restore and fail back still run). */
  readonly abort: AbortSignal;
  readonly concurrency?: number | undefined;
  /** The safety lever: watched from the stop conditions on; engaged = aborted like a breached stop condition. */
  readonly lever?: LeverReader | undefined;
}

export interface RehearsalResult {
  readonly outcome: RehearsalOutcome;
  readonly reasons: readonly string[];
  readonly rto: RtoBreakdown | null;
  readonly executed: ExecuteOutcome | undefined;
  readonly overruns: ReturnType<typeof findBudgetOverruns>;
  /** What the fail-back did to each step (the summary says rolled back). */
  readonly undone?: ReadonlyMap<string, UndoOutcome>;
}

/** A signal that never aborts: the phases after the fault run on their own deadlines only. */
export const NEVER: AbortSignal = new AbortController().signal;
