import { dirname } from 'node:path';
import { loadPlugins, type PluginRequest } from '../kinds/load-plugins.js';
import type { KindRegistry } from '../kinds/registry.js';
import { hasErrors, type Diagnostic } from '../util/diagnostic.js';
import { RUNBOOK_CHECKS, buildCheckContext } from './checks/index.js';
import { checkRulesFlipCuts } from './checks/rules-flip-cut.js';
import { checkScenarioNames } from './checks/scenario-names.js';
import { hasSyntaxErrors } from '../yaml/file.js';
import { loadRunbookFile, type LoadedRunbook } from './load.js';
import { normalizeRunbook } from './normalize.js';
import { validateShape } from './schema.js';
import { translateSchemaErrors } from './schema-errors.js';
import type { Runbook } from './types.js';

export interface ValidateOptions {
  /** Extra plugin modules from --plugin (relative to the current directory). */
  readonly plugins?: readonly string[];
}

export interface ValidationResult {
  /** Present only when there are no errors (warnings allowed). */
  readonly runbook: Runbook | undefined;
  /** Every problem found, sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
  /** The base kinds plus the runbook's plugins. */
  readonly registry: KindRegistry;
  readonly loaded: LoadedRunbook;
}

/** The base kinds, or a way to get them given the kind names the runbook uses (loaded on demand). */
export type BaseKinds = KindRegistry | ((kindNames: readonly string[] | undefined) => Promise<KindRegistry>);

/** load → plugins → schema + static checks (all problems in one pass) → normalize. */
export async function validateRunbookFile(file: string, base: BaseKinds, options: ValidateOptions = {}): Promise<ValidationResult> {
  const loaded = await loadRunbookFile(file);
  const baseRegistry = typeof base === 'function' ? await base(kindNamesOf(loaded.data)) : base;
  if (hasSyntaxErrors(loaded.diagnostics)) {
    return { runbook: undefined, diagnostics: sortDiagnostics(loaded.diagnostics), registry: baseRegistry, loaded };
  }
  const requests = pluginRequests(loaded, options.plugins ?? []);
  let { registry, diagnostics: pluginDiagnostics } = await loadPlugins(baseRegistry, requests);
  if (typeof base === 'function' && kindNamesOf(loaded.data).some((n) => !registry.get(n))) {
    // a kind neither built in nor from a plugin: every built-in kind, so that "did you mean" sees them all
    ({ registry, diagnostics: pluginDiagnostics } = await loadPlugins(await base(undefined), requests));
  }
  const found = [...loaded.diagnostics, ...pluginDiagnostics, ...validateRunbookData(loaded, registry)];
  if (!hasErrors(found)) found.push(...(await checkRulesFlipCuts(loaded)), ...(await checkScenarioNames(loaded)));
  const diagnostics = sortDiagnostics(found);
  const runbook = hasErrors(diagnostics) ? undefined : normalizeRunbook(loaded.data, loaded);
  return { runbook, diagnostics, registry, loaded };
}

/** Pure: the shape schema and every static check over already-parsed data. */
export function validateRunbookData(loaded: Pick<LoadedRunbook, 'data' | 'sourceMap'>, registry: KindRegistry): Diagnostic[] {
  const { data, sourceMap } = loaded;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return [
      {
        severity: 'error',
        code: 'wrong-type',
        message: data === undefined ? 'the runbook is empty' : 'a runbook must be a map with apiVersion, kind, metadata and spec',
        hint: 'start from: apiVersion: drctl/v1 / kind: Runbook / metadata: {name: ...} / spec: {steps: [...]}',
        ...sourceMap.locate([]),
      },
    ];
  }
  const shape = translateSchemaErrors(validateShape(data), { sourceMap, root: data, basePath: [], allowTemplates: false });
  const ctx = buildCheckContext(data, registry, sourceMap);
  return sortDiagnostics(dedupe([...shape, ...RUNBOOK_CHECKS.flatMap((check) => check(ctx))]));
}

function pluginRequests(loaded: LoadedRunbook, extra: readonly string[]): PluginRequest[] {
  const spec = (loaded.data as { spec?: { plugins?: unknown } } | undefined)?.spec;
  const listed = Array.isArray(spec?.plugins) ? (spec.plugins as unknown[]) : [];
  const fromRunbook = listed.flatMap((p, i) =>
    // `at` is looked up only for a problem: locating may need the full YAML parse (see yaml/file.ts)
    typeof p === 'string'
      ? [
          {
            specifier: p,
            baseDir: dirname(loaded.file),
            get at() {
              return loaded.sourceMap.locate(['spec', 'plugins', i]);
            },
          },
        ]
      : [],
  );
  // a --plugin problem is the flag's, not the runbook's: it has no position in the file
  const fromFlags = extra.map((p) => ({ specifier: p, baseDir: process.cwd(), at: { file: '--plugin', line: 0, column: 0 } }));
  return [...fromRunbook, ...fromFlags];
}

/** The kinds a runbook's steps and fault name, read leniently from the raw data. */
function kindNamesOf(data: unknown): string[] {
  const spec = (data as { spec?: { steps?: unknown; fault?: { kind?: unknown } } } | undefined)?.spec;
  const steps = Array.isArray(spec?.steps) ? (spec.steps as { kind?: unknown }[]) : [];
  return [...steps.map((s) => s?.kind), spec?.fault?.kind].filter((k): k is string => typeof k === 'string');
}

export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/** One message per location and code (a check and the schema may see the same thing). */
function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
