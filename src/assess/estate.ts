import { ASSESSMENT_SCHEMA_VERSION, type AssessmentDocument, type ScopeAssessment, type ScopeRto } from '../model/assessment.js';
import type { RunMeta } from '../model/records.js';
import { canonicalJson } from '../plan/build-plan.js';
import { citiesOf, type FailureScope } from '../rules/scopes.js';
import type { Catalog, CatalogRunbook, CatalogScenario } from '../runbook/catalog.js';
import { lookupScenario } from '../runbook/scenario-lookup.js';
import { estateLevel, estateScore, FRESH_DAYS } from './level-score.js';
import { observeParts, type ObservedPart, type Part } from './observe-parts.js';
import { linkRehearsals, predictedRto, scenarioRehearsal, type RehearsalParams } from './rehearsals.js';
import { assessScope } from './scope.js';

/** Under this much headroom (%) left in a surviving zone after a flip, a scope is reported (--min-headroom). */
export const DEFAULT_MIN_HEADROOM_PCT = 10;

/** A runbook's params and interpolation (what a part needs besides its runbook). */
export type PartScope = Pick<Part, 'params' | 'interpolate' | 'interpolateValue'>;

export interface EstateInput {
  readonly catalog: Catalog;
  readonly scopes: readonly FailureScope[];
  /** The runbook's params and interpolation with a scenario's params (the CLI adds --set, --params-file and secrets). */
  readonly partOf: (r: CatalogRunbook, scenarioParams: Readonly<Record<string, unknown>>) => Promise<PartScope>;
  readonly runs: readonly RunMeta[];
  readonly rehearsalParams: RehearsalParams;
  readonly now: () => Date;
  readonly minHeadroomPct?: number;
  readonly freshDays?: number;
  /** Every scope class assessed: derive the level and the score. */
  readonly ladder: boolean;
  readonly signal: AbortSignal;
  readonly concurrency?: number;
}

export const keyOf = (file: string, params: Readonly<Record<string, unknown>>): string => `${file}\0${canonicalJson(params)}`;

/**
 * The assessment: for every scope, the scenario that answers it (exact, else the smallest covering; or
 * NO PLAN / ambiguous), every step of its runbooks judged against the loss from one read-only observation
 * per runbook and scenario, the costs, the rehearsals; then the level and the score.
 */
export async function assessEstate(i: EstateInput): Promise<AssessmentDocument> {
  const t0 = performance.now();
  const { catalog } = i;
  const lookups = i.scopes.map((scope) => ({ scope, lookup: lookupScenario(catalog.scenarios, scope.lost) }));
  const needed = new Map<string, CatalogScenario>();
  for (const { lookup } of lookups) if (lookup.status === 'plan') needed.set(lookup.scenario.name, lookup.scenario);
  const byRunbook = new Map(catalog.runbooks.map((r) => [r.runbook.file, r]));
  const parts = new Map<string, Part>();
  for (const scenario of needed.values()) {
    for (const p of scenario.parts) {
      const key = keyOf(p.runbook.file, p.params);
      const cr = byRunbook.get(p.runbook.file);
      if (!cr || parts.has(key)) continue;
      parts.set(key, { key, runbook: cr.runbook, registry: cr.registry, ...(await i.partOf(cr, p.params)) });
    }
  }
  const [observed, linked] = await Promise.all([
    observeParts([...parts.values()], i.signal, i.concurrency),
    linkRehearsals(
      catalog.runbooks.map((r) => r.runbook),
      i.runs,
      i.rehearsalParams,
    ),
  ]);
  const now = i.now();
  const rto = new Map<string, ScopeRto>(catalog.runbooks.map((r) => [r.runbook.name, predictedRto(r.runbook, i.runs)]));
  const minHeadroomPct = i.minHeadroomPct ?? DEFAULT_MIN_HEADROOM_PCT;
  const freshDays = i.freshDays ?? FRESH_DAYS;
  const needs = catalog.runbooks.flatMap((r) =>
    r.runbook.steps.filter((s) => (s.dcs ?? []).length > 0).map((s) => ({ runbook: r.runbook.name, step: s.id, dcs: s.dcs ?? [] })),
  );
  const scopes: ScopeAssessment[] = lookups.map(({ scope, lookup }) => {
    const scenario = lookup.status === 'plan' ? lookup.scenario : undefined;
    const ops = (scenario?.parts ?? []).flatMap((p) => observed.get(keyOf(p.runbook.file, p.params)) ?? []) as ObservedPart[];
    const rehearsal = scenario
      ? scenarioRehearsal(scenario, linked, now)
      : { latestOutcome: null, latestAt: null, lastSucceededAt: null, lastSucceededRunId: null, ageDays: null };
    return assessScope({ scope, lookup, parts: ops, rto, rehearsal, minHeadroomPct, freshDays, needs });
  });
  return {
    schemaVersion: ASSESSMENT_SCHEMA_VERSION,
    kind: 'assessment',
    generatedAt: now.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    topology: { name: catalog.topology.name, file: catalog.topologyFile, cities: citiesOf(catalog.topology) },
    catalog: {
      runbooks: catalog.runbooks.map((r) => ({
        name: r.runbook.name,
        file: r.runbook.file,
        scenarios: (r.runbook.scenarios ?? []).map((s) => s.name),
      })),
      scenarios: catalog.scenarios.map((s) => ({ name: s.name, lost: s.lost, runbooks: s.parts.map((p) => p.runbook.name) })),
    },
    scopes,
    level: i.ladder ? estateLevel(scopes) : null,
    score: i.ladder ? estateScore(scopes) : null,
    findings: scopes.flatMap((s) => s.findings),
    options: { minHeadroomPct, freshDays },
  };
}
