import type { KindContext } from '../model/kind.js';
import type { KindRegistry } from '../kinds/registry.js';
import type { Runbook, StepSpec } from '../runbook/types.js';
import { Deadline, type SignalLike } from '../util/deadline.js';
import { computeLayers } from './graph.js';

export interface Observation {
  readonly stepId: string;
  readonly params: unknown;
  readonly state: unknown;
  readonly error: string | undefined;
  readonly durationMs: number;
}

export interface ObserveAllOptions {
  readonly runbook: Runbook;
  readonly registry: KindRegistry;
  readonly interpolate: (step: StepSpec, outputsOf: (id: string) => Readonly<Record<string, unknown>> | undefined) => unknown;
  readonly makeContext: (stepId: string, signal: SignalLike) => KindContext;
  readonly signal: AbortSignal;
}

/**
 * Observe every step read-only, layer by layer (a step's params may use the outputs of the steps it
 * needs, taken from their observed state), in parallel within a layer up to the runbook's concurrency.
 * Never calls apply. A failing observe is recorded, not thrown.
 */
export async function observeAll(o: ObserveAllOptions): Promise<Map<string, Observation>> {
  const out = new Map<string, Observation>();
  const byId = new Map(o.runbook.steps.map((s) => [s.id, s]));
  const outputsOf = (id: string) => {
    const obs = out.get(id);
    const kind = o.registry.get(byId.get(id)?.kind ?? '');
    if (!obs || obs.error !== undefined || !kind) return undefined;
    return kind.outputs?.(obs.params, obs.state) ?? {};
  };
  for (const layer of computeLayers(o.runbook.steps)) {
    let next = 0; // an index, not queue.shift(): shifting a 10,000-id layer copies it each time
    const worker = async (): Promise<void> => {
      while (next < layer.length) {
        const step = byId.get(layer[next++]!);
        if (step) out.set(step.id, await observeOne(o, step, outputsOf));
      }
    };
    // a layer of one step (a chain) needs no pool of workers
    await (layer.length === 1 ? worker() : Promise.all(Array.from({ length: Math.min(o.runbook.concurrency, layer.length) }, worker)));
  }
  return out;
}

async function observeOne(
  o: ObserveAllOptions,
  step: StepSpec,
  outputsOf: (id: string) => Readonly<Record<string, unknown>> | undefined,
): Promise<Observation> {
  const t0 = performance.now();
  const kind = o.registry.get(step.kind);
  let params: unknown;
  const deadline = new Deadline(o.signal, step.timeoutMs);
  try {
    if (!kind) throw new Error(`unknown kind "${step.kind}"`);
    params = o.interpolate(step, outputsOf);
    const state = await deadline.race(kind.observe(params, o.makeContext(step.id, deadline)));
    return { stepId: step.id, params, state, error: undefined, durationMs: performance.now() - t0 };
  } catch (e) {
    const message =
      deadline.aborted && !o.signal.aborted ? `observe timed out after ${step.timeoutMs}ms` : e instanceof Error ? e.message : String(e);
    return { stepId: step.id, params, state: undefined, error: message, durationMs: performance.now() - t0 };
  } finally {
    deadline.dispose();
  }
}
