import { createContextFactory } from '../engine/context.js';
import type { KindRegistry } from '../kinds/registry.js';
import { observeAll, type Observation } from '../plan/observe-all.js';
import type { Runbook, StepSpec } from '../runbook/types.js';
import { realClock } from '../util/clock.js';
import { nullLogger } from '../util/logger.js';

/** A runbook with the params one scenario gives it: what is observed once and judged against every loss. */
export interface Part {
  readonly key: string;
  readonly runbook: Runbook;
  readonly registry: KindRegistry;
  /** The resolved params (runbook defaults, the scenario's, --params-file, --set). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly interpolate: (step: StepSpec, outputsOf: (id: string) => Readonly<Record<string, unknown>> | undefined) => unknown;
  /** A value (a probe) with the params and secrets, no step outputs. */
  readonly interpolateValue: (value: unknown) => unknown;
}

export interface ObservedPart {
  readonly part: Part;
  readonly observations: ReadonlyMap<string, Observation>;
  readonly durationMs: number;
}

/** Parts observed at once; each observes its own steps in parallel up to its runbook's concurrency. */
export const DEFAULT_PART_CONCURRENCY = 4;

/**
 * Observe every part read-only (observe only: no kind is ever asked to apply). Parts run concurrently,
 * `limit` at a time, so a lost member's connect timeout is paid once, in parallel, not once per step.
 */
export async function observeParts(
  parts: readonly Part[],
  signal: AbortSignal,
  limit = DEFAULT_PART_CONCURRENCY,
): Promise<Map<string, ObservedPart>> {
  const out = new Map<string, ObservedPart>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < parts.length) {
      const part = parts[next++] as Part;
      const t0 = performance.now();
      const makeContext = createContextFactory({
        runId: 'assess',
        baseDir: part.runbook.baseDir,
        clock: realClock,
        log: nullLogger,
        emit: async () => undefined,
        approve: async () => false,
      });
      const observations = await observeAll({
        runbook: part.runbook,
        registry: part.registry,
        signal,
        interpolate: part.interpolate,
        makeContext: (stepId, sig) => makeContext(stepId, sig, {}),
      });
      out.set(part.key, { part, observations, durationMs: performance.now() - t0 });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, parts.length) }, worker));
  return out;
}
