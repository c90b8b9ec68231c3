import type { DataPath } from '../yaml/source-map.js';

/** Human names for places in a runbook, used in diagnostics. Pure. */

const STEP_PREFIX = 2; // ['spec', 'steps', i, ...]

export function isStepPath(path: DataPath): boolean {
  return path[0] === 'spec' && path[1] === 'steps' && typeof path[STEP_PREFIX] === 'number';
}

/** `step "cache"` or `step #3` (1-based) when the step has no usable id. */
export function stepLabel(data: unknown, index: number): string {
  const id = valueAt(data, ['spec', 'steps', index, 'id']);
  return typeof id === 'string' && id !== '' ? `step "${id}"` : `step #${index + 1}`;
}

/** a.b[2].c */
export function dotted(path: DataPath): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc === '' ? seg : `${acc}.${seg}`), '');
}

/** The field being talked about: "timeout" inside a step, else the full dotted path ("spec.concurrency"). */
export function fieldLabel(path: DataPath): string {
  if (isStepPath(path) && path.length > STEP_PREFIX + 1) return dotted(path.slice(STEP_PREFIX + 1));
  return dotted(path) || 'the document';
}

/** Suffix naming where a field lives: ' in step "cache"' (empty outside steps). */
export function stepSuffix(path: DataPath, data: unknown): string {
  const index = path[STEP_PREFIX];
  return isStepPath(path) && path.length > STEP_PREFIX + 1 && typeof index === 'number' ? ` in ${stepLabel(data, index)}` : '';
}

/** The subject of a sentence about the value at `path`: 'spec.concurrency', 'retries in step "cache"'. */
export function subjectLabel(path: DataPath, data: unknown): string {
  const index = path[STEP_PREFIX];
  if (isStepPath(path) && path.length === STEP_PREFIX + 1 && typeof index === 'number') return stepLabel(data, index);
  return `${fieldLabel(path)}${stepSuffix(path, data)}`;
}

/** Where a map lives, for "unknown field X in ..." / "missing field X in ...". */
export function containerLabel(mapPath: DataPath, data: unknown): string {
  if (mapPath.length === 0) return 'at the top level';
  const index = mapPath[STEP_PREFIX];
  if (isStepPath(mapPath) && typeof index === 'number') {
    const step = stepLabel(data, index);
    if (mapPath.length === STEP_PREFIX + 1) return `in ${step}`;
    return `in "${dotted(mapPath.slice(STEP_PREFIX + 1))}" of ${step}`;
  }
  return `in ${dotted(mapPath)}`;
}

export function valueAt(data: unknown, path: DataPath): unknown {
  let node = data;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}

/** How a value reads in a message: strings quoted, containers named. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}
