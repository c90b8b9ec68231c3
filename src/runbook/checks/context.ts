import type { KindRegistry } from '../../kinds/registry.js';
import type { Diagnostic } from '../../util/diagnostic.js';
import type { SourceMap } from '../../yaml/source-map.js';

/** A step as written, read leniently so that checks still run when the schema found other problems. */
export interface RawStep {
  readonly index: number;
  readonly id: string | undefined;
  readonly kind: string | undefined;
  /** String entries of `needs`, with their index in the list. */
  readonly needs: readonly { readonly name: string; readonly index: number }[];
  readonly with: unknown;
}

export interface CheckContext {
  /** The whole runbook data (plain JS). */
  readonly data: unknown;
  readonly steps: readonly RawStep[];
  /** First step for each id (duplicates are reported by their own check). */
  readonly stepsById: ReadonlyMap<string, RawStep>;
  readonly paramNames: ReadonlySet<string>;
  readonly registry: KindRegistry;
  readonly sourceMap: SourceMap;
}

export type Check = (ctx: CheckContext) => Diagnostic[];

const asRecord = (v: unknown): Readonly<Record<string, unknown>> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

export function buildCheckContext(data: unknown, registry: KindRegistry, sourceMap: SourceMap): CheckContext {
  const spec = asRecord(asRecord(data)?.['spec']);
  const rawSteps = Array.isArray(spec?.['steps']) ? (spec['steps'] as unknown[]) : [];
  const steps = rawSteps.map((raw, index): RawStep => {
    const step = asRecord(raw);
    const needs = Array.isArray(step?.['needs']) ? (step['needs'] as unknown[]) : [];
    return {
      index,
      id: typeof step?.['id'] === 'string' ? step['id'] : undefined,
      kind: typeof step?.['kind'] === 'string' ? step['kind'] : undefined,
      needs: needs.flatMap((name, i) => (typeof name === 'string' ? [{ name, index: i }] : [])),
      with: step?.['with'],
    };
  });
  const stepsById = new Map<string, RawStep>();
  for (const s of steps) if (s.id !== undefined && !stepsById.has(s.id)) stepsById.set(s.id, s);
  const paramNames = new Set(Object.keys(asRecord(spec?.['params']) ?? {}));
  return { data, steps, stepsById, paramNames, registry, sourceMap };
}

export const stepPath = (step: RawStep, ...rest: (string | number)[]): (string | number)[] => ['spec', 'steps', step.index, ...rest];

/** `step "cache"` or `step #3`. */
export const nameOf = (step: RawStep): string => (step.id !== undefined ? `step "${step.id}"` : `step #${step.index + 1}`);

/** Every step this one needs, directly or through others (cycle-safe). */
export function transitiveNeeds(ctx: CheckContext, step: RawStep): Set<string> {
  const seen = new Set<string>();
  const stack = step.needs.map((n) => n.name);
  while (stack.length > 0) {
    const id = stack.pop() ?? '';
    if (seen.has(id)) continue;
    seen.add(id);
    for (const n of ctx.stepsById.get(id)?.needs ?? []) stack.push(n.name);
  }
  return seen;
}
