import type { KindContext } from '../model/kind.js';
import type { Clock } from '../util/clock.js';
import { runCommand } from '../infra/exec.js';
import { startTimeOf } from '../infra/process-tree.js';
import type { Logger } from '../util/logger.js';
import type { SignalLike } from '../util/deadline.js';
import type { EventInput } from '../model/events.js';
import { RUN_ID_ENV, STEP_ID_ENV } from './leftover-commands.js';

export interface ContextFactoryOptions {
  readonly runId: string;
  readonly baseDir: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly emit: (e: EventInput) => Promise<void>;
  readonly approve: (stepId: string, question: string) => Promise<boolean>;
}

/**
 * Makes the KindContext of one step attempt (or a check, the fault, a probe), with its signal and notes;
 * `lost`: the data centers its ctx.lost names (none unless given).
 */
export type ContextFactory = (stepId: string, signal: SignalLike, notes: Record<string, unknown>, lost?: readonly string[]) => KindContext;

/** Commands a step runs see the run's lost data centers, comma-separated (empty: none known). */
export const LOST_ENV = 'DRCTL_LOST';

/**
 * Build the KindContext for one step attempt: everything a kind may use, and nothing else. The signal and
 * the step's logger are made when the kind first reads them (a Deadline's signal is lazy; so is a child logger).
 * `lost`: the data centers the run knows are lost (ctx.lost) — given to the switch's steps only; checks,
 * probes and undo (rollback, fail-back: going back means the lost side is back) get none.
 */
/** The same factory with `lost` given to every context it makes (the switch's steps). */
export const withLost = (make: ContextFactory, lost: readonly string[] | undefined): ContextFactory =>
  lost === undefined || lost.length === 0 ? make : (stepId, signal, notes) => make(stepId, signal, notes, lost);

export function createContextFactory(o: ContextFactoryOptions): ContextFactory {
  return (stepId, signalLike, notes, lostDcs = []) => {
    const source = signalLike instanceof AbortSignal ? { signal: signalLike } : signalLike;
    let log: Logger | undefined;
    const lost = [...lostDcs];
    let lastProgress: string | undefined;
    return {
      runId: o.runId,
      stepId,
      baseDir: o.baseDir,
      get signal() {
        return source.signal;
      },
      clock: o.clock,
      lost,
      get log() {
        return (log ??= o.log.child({ stepId }));
      },
      // commands run in the runbook's folder (as exec steps do), whatever folder drctl was started from;
      // each is journaled with its pid, so a later resume or rollback can stop what a dead controller left running
      exec: (argv, options) =>
        runCommand(argv, {
          cwd: o.baseDir,
          ...options,
          env: { ...options?.env, [RUN_ID_ENV]: o.runId, [STEP_ID_ENV]: stepId, [LOST_ENV]: lost.join(',') },
          signal: source.signal,
          onSpawn: (pid) =>
            void o
              .emit({ type: 'step.command', stepId, pid, startTime: startTimeOf(pid) ?? '', command: argv.join(' ') })
              .catch(() => undefined),
        }),
      // a kind polling says the same thing each round: said (and journaled) once, until it changes
      progress: (message) => {
        if (message === lastProgress) return;
        lastProgress = message;
        void o.emit({ type: 'step.progress', stepId, message }).catch(() => undefined);
      },
      note: (key, value) => {
        notes[key] = value;
      },
      approve: (question) => o.approve(stepId, question),
      remainingMs: () => source.remainingMs?.() ?? Number.POSITIVE_INFINITY,
    };
  };
}
