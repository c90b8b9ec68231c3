import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic, SourcePosition } from '../util/diagnostic.js';
import { createKindRegistry, type KindRegistry } from './registry.js';
import type { AnyKind } from '../model/kind.js';

/** One plugin to load: a module path as written, the folder it is relative to, and where it was named. */
export interface PluginRequest {
  readonly specifier: string;
  readonly baseDir: string;
  /** The runbook line naming the plugin (or wherever --plugin problems should point). */
  readonly at: SourcePosition & { readonly length?: number };
}

export interface LoadPluginsResult {
  /** A new registry: the base kinds plus every plugin kind that loaded cleanly. */
  readonly registry: KindRegistry;
  readonly diagnostics: readonly Diagnostic[];
}

const REQUIRED_FUNCTIONS = ['observe', 'decide', 'apply', 'holds', 'describe'] as const;
const OPTIONAL_FUNCTIONS = ['check', 'rollback', 'reversible', 'outputs', 'preload'] as const;

/** import() each plugin (once per resolved path), check its exports, register its kinds. */
export async function loadPlugins(base: KindRegistry, requests: readonly PluginRequest[]): Promise<LoadPluginsResult> {
  const registry = createKindRegistry(base.names().flatMap((n) => base.get(n) ?? []));
  const diagnostics: Diagnostic[] = [];
  const loaded = new Set<string>();
  for (const request of requests) {
    const file = isAbsolute(request.specifier) ? request.specifier : resolve(request.baseDir, request.specifier);
    if (loaded.has(file)) continue;
    loaded.add(file);
    const problems = await loadOne(registry, file);
    for (const problem of problems) {
      diagnostics.push({ severity: 'error', code: 'bad-plugin', message: `plugin "${request.specifier}": ${problem}`, ...request.at });
    }
  }
  return { registry, diagnostics };
}

async function loadOne(registry: KindRegistry, file: string): Promise<string[]> {
  try {
    await access(file);
  } catch {
    return [`file not found (looked for ${file})`];
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    return [`cannot be imported: ${(e as Error).message.split('\n')[0] ?? ''}`];
  }
  if (mod['apiVersion'] !== 1) return [`must export apiVersion = 1 (found ${JSON.stringify(mod['apiVersion']) ?? 'nothing'})`];
  const kinds = mod['kinds'];
  if (!Array.isArray(kinds)) return ['must export `kinds`, an array of step kinds'];
  const problems: string[] = [];
  kinds.forEach((kind: unknown, i: number) => {
    const shape = kindShapeProblems(kind);
    if (shape.length > 0) {
      problems.push(`kinds[${i}]${nameSuffix(kind)}: ${shape.join('; ')}`);
      return;
    }
    try {
      registry.register(kind as AnyKind);
    } catch (e) {
      problems.push(`kinds[${i}]: ${(e as Error).message}`);
    }
  });
  return problems;
}

/** What is wrong with a would-be StepKind (empty when it has the required shape). */
export function kindShapeProblems(kind: unknown): string[] {
  if (kind === null || typeof kind !== 'object') return ['is not an object'];
  const k = kind as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof k['name'] !== 'string') problems.push('name must be a string');
  if (typeof k['description'] !== 'string') problems.push('description must be a string');
  if (k['paramsSchema'] === null || typeof k['paramsSchema'] !== 'object') problems.push('paramsSchema must be a JSON Schema object');
  for (const f of REQUIRED_FUNCTIONS) if (typeof k[f] !== 'function') problems.push(`${f} must be a function`);
  for (const f of OPTIONAL_FUNCTIONS)
    if (k[f] !== undefined && typeof k[f] !== 'function') problems.push(`${f} must be a function when present`);
  const outputs = k['outputNames'];
  if (outputs !== undefined && !(Array.isArray(outputs) && outputs.every((o) => typeof o === 'string'))) {
    problems.push('outputNames must be an array of strings');
  }
  return problems;
}

const nameSuffix = (kind: unknown): string => {
  const name = (kind as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? ` ("${name}")` : '';
};
