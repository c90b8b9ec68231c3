import type { PartScope } from '../../assess/estate.js';
import type { RehearsalParams } from '../../assess/rehearsals.js';
import type { RunMeta } from '../../model/records.js';
import { loadCatalog, type Catalog, type CatalogRunbook } from '../../runbook/catalog.js';
import { parseSetFlag } from '../../runbook/interpolate.js';
import type { StateStore } from '../../state/store.js';
import { usageError } from '../../util/errors.js';
import { baseRegistry } from '../load-runbook.js';
import { buildRuntimeScope } from '../../runbook/runtime-scope.js';

export interface CatalogFlags {
  readonly topology?: string;
  readonly set?: string[];
  readonly plugin?: string[];
}

/** The catalog of the runbook files or folders (the current folder when none is named). */
export const catalogOf = (paths: readonly string[], flags: CatalogFlags): Promise<Catalog> =>
  loadCatalog(paths.length > 0 ? paths : ['.'], { base: baseRegistry, topology: flags.topology, plugins: flags.plugin ?? [] });

/**
 * --set KEY=VALUE for a whole catalog: each goes to the runbooks that declare KEY (a lab folder, a
 * credential); a KEY no runbook declares is a usage error.
 */
export function setFlagsFor(catalog: Catalog, set: readonly string[] = []): (r: CatalogRunbook) => string[] {
  const parsed = set.map((text) => ({ text, key: parseSetFlag(text).key }));
  for (const { key } of parsed) {
    if (!catalog.runbooks.some((r) => key in r.runbook.params))
      throw usageError(`--set ${key}: no runbook of the catalog declares a param "${key}"`);
  }
  return (r) => parsed.filter((p) => p.key in r.runbook.params).map((p) => p.text);
}

/** A runbook with a scenario's params under --set (and its secrets from the environment). */
export function partMaker(
  catalog: Catalog,
  flags: CatalogFlags,
): (r: CatalogRunbook, scenarioParams: Readonly<Record<string, unknown>>) => Promise<PartScope> {
  const setFor = setFlagsFor(catalog, flags.set);
  return async (r, scenarioParams) => {
    const scope = await buildRuntimeScope(r.runbook, { set: setFor(r) }, process.env, { baseParams: scenarioParams });
    return {
      params: scope.params,
      interpolate: (step, outputsOf) => scope.interpolate(step.with, outputsOf),
      interpolateValue: (v) => scope.interpolate(v),
    };
  };
}

/** Every run of the store, and a reader of a rehearsal's params (its run.started record). */
export async function historyOf(store: StateStore): Promise<{ runs: RunMeta[]; rehearsalParams: RehearsalParams }> {
  const runs = await store.listRuns();
  const rehearsalParams: RehearsalParams = async (runId) => {
    const j = await store.readJournal(runId);
    const started = j.records.find((r) => r.type === 'run.started');
    return started?.type === 'run.started' ? started.params : undefined;
  };
  return { runs, rehearsalParams };
}
