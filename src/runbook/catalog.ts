import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { KindRegistry } from '../kinds/registry.js';
import { loadTopologyFile } from '../rules/load-topology.js';
import { resolveLost } from '../rules/scopes.js';
import type { Topology } from '../rules/topology.js';
import { hasErrors, type Diagnostic } from '../util/diagnostic.js';
import { DrctlError, ExitCode, usageError } from '../util/errors.js';
import { unreadableFile } from '../util/fs-problem.js';
import { loadYamlFile } from '../yaml/file.js';
import type { LoadedRunbook } from './load.js';
import { preloadKinds } from './preload.js';
import type { Runbook } from './types.js';
import { validateRunbookFile, type BaseKinds } from './validate.js';

export interface CatalogRunbook {
  readonly runbook: Runbook;
  readonly registry: KindRegistry;
  readonly loaded: LoadedRunbook;
}

/** One disaster of the catalog: a name, the data centers lost, and the runbooks answering it (one per part of the estate). */
export interface CatalogScenario {
  readonly name: string;
  readonly description: string | undefined;
  /** The data centers lost, in topology order (a city expanded). */
  readonly lost: readonly string[];
  /** As the first runbook wrote it (a city name, or data centers). */
  readonly written: readonly string[];
  readonly parts: readonly { readonly runbook: Runbook; readonly params: Readonly<Record<string, unknown>> }[];
}

export interface Catalog {
  /** Every runbook found, with or without scenarios, in file order. */
  readonly runbooks: readonly CatalogRunbook[];
  /** YAML files of a folder that are not runbooks (a topology), left out. */
  readonly skipped: readonly { readonly file: string; readonly kind: string }[];
  readonly scenarios: readonly CatalogScenario[];
  readonly topology: Topology;
  readonly topologyFile: string;
}

export interface CatalogOptions {
  readonly base: BaseKinds;
  /** --topology (relative to the current folder); else the runbooks' spec.topology. */
  readonly topology?: string | undefined;
  readonly plugins?: readonly string[];
}

/** Runbook files or folders (their *.yaml / *.yml files, not recursive) → the catalog of recovery plans. Bad input → exit 3. */
export async function loadCatalog(paths: readonly string[], o: CatalogOptions): Promise<Catalog> {
  const { files, skipped } = await expandPaths(paths);
  const runbooks: CatalogRunbook[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const v = await validateRunbookFile(file, o.base, { plugins: o.plugins ?? [] });
    diagnostics.push(...v.diagnostics);
    if (v.runbook && !hasErrors(v.diagnostics)) runbooks.push({ runbook: v.runbook, registry: v.registry, loaded: v.loaded });
  }
  if (hasErrors(diagnostics))
    throw new DrctlError('runbook-invalid', ExitCode.invalidInput, 'the catalog has invalid runbooks', { diagnostics });
  if (runbooks.length === 0) throw usageError(`no runbook in ${paths.join(', ')}`, 'name runbook files or folders holding them');
  await Promise.all(runbooks.map((r) => preloadKinds(r.runbook, r.registry)));
  const { topology, topologyFile } = await catalogTopology(runbooks, o.topology);
  return { runbooks, skipped, scenarios: collectScenarios(runbooks, topology), topology, topologyFile };
}

async function expandPaths(paths: readonly string[]): Promise<{ files: string[]; skipped: { file: string; kind: string }[] }> {
  const files: string[] = [];
  const skipped: { file: string; kind: string }[] = [];
  for (const p of paths) {
    const st = await stat(p).catch((e: unknown) => {
      throw unreadableFile('runbook or folder', p, e);
    });
    if (!st.isDirectory()) {
      files.push(p);
      continue;
    }
    for (const name of (await readdir(p)).filter((n) => /\.ya?ml$/.test(n)).sort()) {
      const file = path.join(p, name);
      const kind = ((await loadYamlFile(file, 'runbook')).data as { kind?: unknown } | undefined)?.kind;
      if (kind === 'Runbook') files.push(file);
      else skipped.push({ file, kind: typeof kind === 'string' ? kind : 'not a runbook' });
    }
  }
  return { files: [...new Set(files)], skipped };
}

async function catalogTopology(
  runbooks: readonly CatalogRunbook[],
  flag: string | undefined,
): Promise<{ topology: Topology; topologyFile: string }> {
  const named = [...new Set(runbooks.flatMap((r) => (r.runbook.topology ? [r.runbook.topology] : [])))];
  if (flag === undefined && named.length > 1) {
    throw usageError(`the runbooks name different topologies (${named.join(', ')})`, 'pass --topology FILE: the estate has one topology');
  }
  const file = flag !== undefined ? path.resolve(flag) : named[0];
  if (file === undefined) throw usageError('no topology: pass --topology FILE (or give the runbooks spec.topology)');
  const loaded = await loadTopologyFile(file).catch((e: unknown) => {
    throw flag !== undefined && e instanceof DrctlError ? usageError(`--topology ${e.message}`) : e;
  });
  if (!loaded.topology)
    throw new DrctlError('topology-invalid', ExitCode.invalidInput, `${file} is not a valid topology`, { diagnostics: loaded.diagnostics });
  return { topology: loaded.topology, topologyFile: file };
}

/** Scenarios by name, in file order; one name means one disaster: every runbook must give it the same data centers. */
function collectScenarios(runbooks: readonly CatalogRunbook[], topology: Topology): CatalogScenario[] {
  const byName = new Map<string, CatalogScenario & { parts: CatalogScenario['parts'][number][]; file: string }>();
  const problems: Diagnostic[] = [];
  for (const { runbook, loaded } of runbooks) {
    for (const s of runbook.scenarios ?? []) {
      const at = loaded.sourceMap.locate(['spec', 'scenarios', s.index, 'lost']);
      const lost = resolveLost(topology, s.lost);
      if (!lost.ok) {
        problems.push({ severity: 'error', code: 'unknown-dc', message: lost.error.message, ...at });
        continue;
      }
      const known = byName.get(s.name);
      if (!known) {
        byName.set(s.name, {
          name: s.name,
          description: s.description,
          lost: lost.value,
          written: s.lost,
          parts: [{ runbook, params: s.params }],
          file: runbook.file,
        });
      } else if (known.lost.join(',') !== lost.value.join(',')) {
        problems.push({
          severity: 'error',
          code: 'scenario-conflict',
          ...at,
          message: `scenario "${s.name}" loses ${lost.value.join(', ')} here but ${known.lost.join(', ')} in ${known.file}: one name is one disaster`,
          hint: 'rename one of them, or make them lose the same data centers',
        });
      } else known.parts.push({ runbook, params: s.params });
    }
  }
  if (problems.length > 0)
    throw new DrctlError('catalog-invalid', ExitCode.invalidInput, "the catalog's scenarios do not fit the topology", {
      diagnostics: problems,
    });
  return [...byName.values()].map(({ file: _file, ...s }) => s);
}
