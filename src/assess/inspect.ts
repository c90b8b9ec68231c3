import type { InspectionRecord, InspectionSafety } from '../model/inspection.js';
import { buildPlan } from '../plan/build-plan.js';
import { assertPlanFresh, assertPlanRunbook } from '../plan/saved-plan-fresh.js';
import type { Plan } from '../plan/types.js';
import { enumerateScopes, scopeOf, type FailureScope } from '../rules/scopes.js';
import type { CatalogRunbook } from '../runbook/catalog.js';
import { lookupScenario } from '../runbook/scenario-lookup.js';
import { messageOf } from '../util/errors.js';
import { assessEstate, keyOf, type EstateInput } from './estate.js';
import { buildInspection } from './inspection-record.js';
import { inspectRunbook } from './inspect-runbook.js';
import { observeParts, type Part } from './observe-parts.js';

export interface InspectInput extends Omit<EstateInput, 'scopes' | 'ladder'> {
  readonly id: string;
  readonly host: string;
  readonly user: string;
  /** Plans saved by `plan -o` to check for staleness. */
  readonly savedPlans: readonly { readonly file: string; readonly plan: Plan }[];
  readonly previous: InspectionRecord | undefined;
  /** Scopes the catalog no longer covers are expected from now on (not findings). */
  readonly acceptCoverage: boolean;
  /** The lever and the catalog's paused runbooks, read from the store. */
  readonly safety: InspectionSafety;
}

/**
 * The scopes an inspection assesses: every scope of the topology the catalog answers (or answers
 * ambiguously), each scenario's own set of data centers, and — as NO PLAN — the scopes an earlier
 * inspection saw covered that no scenario covers any more.
 */
function inspectedScopes(i: InspectInput): { scopes: FailureScope[]; covered: string[]; expected: string[] } {
  const { catalog } = i;
  const all = enumerateScopes(catalog.topology);
  for (const s of catalog.scenarios)
    if (!all.some((x) => x.lost.join(',') === s.lost.join(','))) all.push(scopeOf(catalog.topology, s.lost));
  const covered = all.filter((s) => lookupScenario(catalog.scenarios, s.lost).status !== 'none');
  const coveredIds = covered.map((s) => s.id);
  const before = i.acceptCoverage ? [] : (i.previous?.coverage.expected ?? []);
  const missing = all.filter((s) => before.includes(s.id) && !coveredIds.includes(s.id));
  return {
    scopes: all.filter((s) => coveredIds.includes(s.id) || missing.includes(s)),
    covered: coveredIds,
    expected: [...new Set([...before, ...coveredIds])],
  };
}

async function partFor(i: InspectInput, r: CatalogRunbook, params: Readonly<Record<string, unknown>>, tag: string): Promise<Part> {
  return { key: `${tag}\0${keyOf(r.runbook.file, params)}`, runbook: r.runbook, registry: r.registry, ...(await i.partOf(r, params)) };
}

/** A saved plan against a fresh plan made now with its params: stale when the runbook or what it approved changed. */
async function checkSavedPlan(i: InspectInput, file: string, saved: Plan): Promise<InspectionRecord['savedPlans'][number]> {
  const r =
    i.catalog.runbooks.find((x) => x.runbook.file === saved.runbook.file) ??
    i.catalog.runbooks.find((x) => x.runbook.name === saved.runbook.name);
  if (!r) return { file, runbook: saved.runbook.name, fresh: false, detail: `its runbook ${saved.runbook.file} is not in the catalog` };
  try {
    assertPlanRunbook(saved, r.runbook.file, r.runbook);
    const part = await partFor(i, r, saved.params, 'saved');
    const observed = (await observeParts([part], i.signal, 1)).get(part.key);
    const live = buildPlan({
      runbook: r.runbook,
      registry: r.registry,
      observations: observed?.observations ?? new Map(),
      predicted: new Map(),
      historyRuns: 0,
      now: i.now(),
      params: part.params,
    });
    assertPlanFresh(saved, live);
    return { file, runbook: r.runbook.name, fresh: true, detail: `still what ${saved.createdAt} approved` };
  } catch (e) {
    return { file, runbook: r.runbook.name, fresh: false, detail: messageOf(e) };
  }
}

/** drctl inspect: every catalogued runbook's probes and plan, the saved plans, the assessment of what the catalog covers, and the drift. */
export async function inspectCatalog(i: InspectInput): Promise<InspectionRecord> {
  const t0 = performance.now();
  const startedAt = i.now().toISOString();
  const catalogued = i.catalog.runbooks.filter((r) => (r.runbook.scenarios ?? []).length > 0);
  const { scopes, covered, expected } = inspectedScopes(i);
  const [inspected, savedPlans, assessment] = await Promise.all([
    Promise.all(catalogued.map(async (r) => inspectRunbook(await partFor(i, r, {}, 'plan'), i.runs, i.signal))),
    Promise.all(i.savedPlans.map((s) => checkSavedPlan(i, s.file, s.plan))),
    assessEstate({ ...i, scopes, ladder: false }),
  ]);
  return buildInspection({
    id: i.id,
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    host: i.host,
    user: i.user,
    checks: inspected.flatMap((x) => x.checks),
    plans: inspected.map((x) => x.plan),
    savedPlans,
    assessment,
    coverage: { expected, covered },
    safety: i.safety,
    previous: i.previous,
  });
}
