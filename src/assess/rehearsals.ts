import type { ScopeRehearsal, ScopeRto } from '../model/assessment.js';
import type { RunMeta } from '../model/records.js';
import { canonicalJson } from '../plan/build-plan.js';
import { predictRto, rehearsalsOf } from '../rehearsal/history.js';
import type { CatalogScenario } from '../runbook/catalog.js';
import type { Runbook } from '../runbook/types.js';

/** Journals read per runbook at most, newest rehearsal first, to link rehearsals to scenarios. */
export const LINK_DEPTH = 20;

/** The params a rehearsal ran with (its run.started record), or undefined when they cannot be read. */
export type RehearsalParams = (runId: string) => Promise<Readonly<Record<string, unknown>> | undefined>;

const DAY_MS = 86_400_000;

/**
 * A rehearsal of runbook R rehearsed scenario S when S is one of R's scenarios and every param S sets had
 * that value in the rehearsal (`rehearse --scenario S` sets them; so does a fault's `params` that match).
 * Of several matching scenarios, the one setting the most params wins (ties: all of them).
 */
export function scenariosOf(runbook: Runbook, params: Readonly<Record<string, unknown>>): string[] {
  const matching = (runbook.scenarios ?? []).filter((s) =>
    Object.entries(s.params).every(([k, v]) => canonicalJson(params[k]) === canonicalJson(v)),
  );
  const most = Math.max(0, ...matching.map((s) => Object.keys(s.params).length));
  return matching.filter((s) => Object.keys(s.params).length === most).map((s) => s.name);
}

interface Linked {
  readonly runbook: string;
  readonly scenario: string;
  readonly run: RunMeta;
}

/** Every rehearsal that ran (not SKIPPED) of the runbooks, linked to the scenarios it rehearsed. */
export async function linkRehearsals(runbooks: readonly Runbook[], runs: readonly RunMeta[], paramsOf: RehearsalParams): Promise<Linked[]> {
  const out: Linked[] = [];
  await Promise.all(
    runbooks
      .filter((r) => (r.scenarios ?? []).length > 0)
      .map(async (runbook) => {
        const ran = rehearsalsOf(runs, runbook.name)
          .filter((r) => r.rehearsal && r.rehearsal.outcome !== 'SKIPPED' && r.status !== 'running')
          .slice(0, LINK_DEPTH);
        const params = await Promise.all(ran.map((r) => paramsOf(r.runId).catch(() => undefined)));
        ran.forEach((run, i) => {
          const p = params[i];
          if (p) for (const scenario of scenariosOf(runbook, p)) out.push({ runbook: runbook.name, scenario, run });
        });
      }),
  );
  return out;
}

/** A scenario's rehearsals, over every runbook that answers it: the latest outcome, and the last success (the oldest part's). */
export function scenarioRehearsal(scenario: CatalogScenario, linked: readonly Linked[], now: Date): ScopeRehearsal {
  const perPart = scenario.parts.map((part) =>
    linked
      .filter((l) => l.scenario === scenario.name && l.runbook === part.runbook.name)
      .map((l) => l.run)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt)),
  );
  const latest = perPart.map((runs) => runs[0]);
  const succeeded = perPart.map((runs) => runs.find((r) => r.rehearsal?.outcome === 'SUCCEEDED'));
  const failing = latest.find((r) => r !== undefined && r.rehearsal?.outcome !== 'SUCCEEDED');
  const newest = [...latest].filter((r): r is RunMeta => r !== undefined).sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
  const oldestSuccess = succeeded.every((r) => r !== undefined)
    ? [...succeeded].sort((a, b) => (a?.startedAt ?? '').localeCompare(b?.startedAt ?? ''))[0]
    : undefined;
  const outcome = (failing ?? newest)?.rehearsal?.outcome;
  return {
    latestOutcome: outcome === 'SUCCEEDED' || outcome === 'FAILED' || outcome === 'INTERRUPTED' ? outcome : null,
    latestAt: newest?.startedAt ?? null,
    lastSucceededAt: oldestSuccess?.startedAt ?? null,
    lastSucceededRunId: oldestSuccess?.runId ?? null,
    ageDays: oldestSuccess ? Math.max(0, Math.round(((now.getTime() - Date.parse(oldestSuccess.startedAt)) / DAY_MS) * 10) / 10) : null,
  };
}

/** A runbook's predicted RTO (medians over its succeeded rehearsals) against its budget. */
export function predictedRto(runbook: Runbook, runs: readonly RunMeta[]): ScopeRto {
  const p = predictRto(rehearsalsOf(runs, runbook.name));
  const budgetMs = runbook.budgetMs ?? null;
  return {
    runbook: runbook.name,
    predictedMs: p?.totalMs ?? null,
    detectionMs: p?.detectionMs ?? null,
    switchMs: p?.switchMs ?? null,
    convergenceMs: p?.convergenceMs ?? null,
    basedOn: p?.basedOn ?? 0,
    budgetMs,
    withinBudget: p === undefined || budgetMs === null ? null : p.totalMs <= budgetMs,
  };
}
