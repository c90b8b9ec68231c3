import type { Residual } from '../model/assess.js';
import type { AssessedStep, Finding, ScopePlan, ScopeRehearsal, ScopeRto } from '../model/assessment.js';
import type { FailureScope } from '../rules/scopes.js';
import type { CatalogScenario } from '../runbook/catalog.js';
import type { PlanLookup } from '../runbook/scenario-lookup.js';
import { formatDuration } from '../util/duration.js';
import { isAssessed, judgeStep } from './judge-step.js';
import type { ObservedPart } from './observe-parts.js';
import { scopeScore, type ScopeFacts } from './level-score.js';

export interface ScopeInputs {
  readonly scope: FailureScope;
  readonly lookup: PlanLookup<CatalogScenario>;
  /** The observed parts of the scenario that answers it (in its parts' order). */
  readonly parts: readonly ObservedPart[];
  readonly rto: ReadonlyMap<string, ScopeRto>;
  readonly rehearsal: ScopeRehearsal;
  readonly minHeadroomPct: number;
  readonly freshDays: number;
  /** Steps of the whole catalog that declare the data centers they need (dc:): why a scope may have no plan. */
  readonly needs?: readonly { readonly runbook: string; readonly step: string; readonly dcs: readonly string[] }[];
}

const NEVER: ScopeRehearsal = { latestOutcome: null, latestAt: null, lastSucceededAt: null, lastSucceededRunId: null, ageDays: null };

function planOf(i: ScopeInputs): ScopePlan {
  const l = i.lookup;
  if (l.status === 'none') return { status: 'none', scenario: null, match: null, scenarioLost: [], runbooks: [], candidates: [] };
  if (l.status === 'ambiguous')
    return {
      status: 'ambiguous',
      scenario: null,
      match: l.match,
      scenarioLost: [],
      runbooks: [],
      candidates: l.candidates.map((c) => c.name),
    };
  return {
    status: 'plan',
    scenario: l.scenario.name,
    match: l.match,
    scenarioLost: l.scenario.lost,
    candidates: [],
    runbooks: i.parts.map((p) => ({ name: p.part.runbook.name, file: p.part.runbook.file, params: p.part.params })),
  };
}

/** Dedupe what the estate is left with (several steps may say the same). */
const uniqueLeaves = (steps: readonly AssessedStep[]): Residual[] => [
  ...new Map(steps.flatMap((s) => s.leaves).map((r) => [r.text, r])).values(),
];

/** One scope: its plan, every step's verdict, the verdict, the costs, the findings and the score. */
export function assessScope(i: ScopeInputs): ScopeFacts & { readonly score: number } {
  const { scope } = i;
  const plan = planOf(i);
  const f = (what: Finding['what'], key: string, message: string, extra: Partial<Finding> = {}): Finding => ({
    key: `${scope.id}|${key}`,
    scope: scope.id,
    what,
    message,
    ...extra,
  });
  const base = { id: scope.id, class: scope.class, label: scope.label, lost: scope.lost, plan };
  if (plan.status !== 'plan') {
    const needing = (i.needs ?? []).filter((n) => n.dcs.some((d) => scope.lost.includes(d))).map((n) => `${n.runbook}/${n.step}`);
    const hint =
      needing.length === 0
        ? ''
        : `; steps of the catalog need it: ${needing.slice(0, 4).join(', ')}${needing.length > 4 ? ` and ${needing.length - 4} more` : ''}`;
    const why =
      plan.status === 'none'
        ? `NO PLAN: no scenario of the catalog covers ${scope.lost.join(', ')}${hint}`
        : `AMBIGUOUS: scenarios ${plan.candidates.join(', ')} answer it equally (respond would refuse)`;
    const facts: ScopeFacts = {
      ...base,
      steps: [],
      verdict: 'not-survivable',
      why,
      dataLoss: null,
      headroom: null,
      ttlSeconds: null,
      rto: [],
      withinBudget: null,
      rehearsal: NEVER,
      leaves: [],
      oneFailureFromDataLoss: false,
      findings: [
        f(plan.status === 'none' ? 'no-plan' : 'ambiguous', plan.status === 'none' ? 'no-plan' : 'ambiguous', `${scope.label}: ${why}`),
      ],
    };
    return { ...facts, score: 0 };
  }
  const steps = i.parts.flatMap((op) =>
    op.part.runbook.steps
      .filter(isAssessed)
      .map((s) => judgeStep(op.part.runbook.name, s, op.part.registry.get(s.kind), op.observations.get(s.id), scope.lost)),
  );
  const findings: Finding[] = steps
    .filter((s) => s.verdict !== 'ok')
    .map((s) =>
      f(
        'step',
        `${s.runbook}/${s.step}`,
        `${scope.label}: ${s.runbook} step ${s.step} ${s.verdict === 'fail' ? 'would fail' : 'cannot be judged'}: ${s.reason}`,
        { runbook: s.runbook, step: s.step },
      ),
    );
  const losses = steps.flatMap((s) => (s.dataLoss ? [s.dataLoss] : []));
  const dataLoss =
    losses.length === 0
      ? null
      : {
          bytes: losses.filter((l) => l.unit === 'bytes').reduce((a, l) => a + (l.amount ?? 0), 0),
          transactions: losses.filter((l) => l.unit === 'transactions').reduce((a, l) => a + (l.amount ?? 0), 0),
          unknown: losses.some((l) => l.amount === null),
        };
  const losing = dataLoss !== null && (dataLoss.bytes > 0 || dataLoss.transactions > 0 || dataLoss.unknown);
  if (losing)
    findings.push(
      f(
        'data-loss',
        'rpo',
        `${scope.label}: would lose data: ${losses
          .filter((l) => l.amount !== 0)
          .map((l) => `${l.what} ${l.amount === null ? 'unknown' : `${l.amount} ${l.unit}`}`)
          .join('; ')}`,
      ),
    );
  const headroom = steps.flatMap((s) => (s.headroom ? [s.headroom] : [])).sort((a, b) => a.pct - b.pct)[0] ?? null;
  if (headroom && headroom.pct < i.minHeadroomPct)
    findings.push(
      f('headroom', 'headroom', `${scope.label}: ${headroom.zone} would be left ${headroom.pct}% headroom (under ${i.minHeadroomPct}%)`),
    );
  const ttlSeconds = Math.max(-1, ...steps.flatMap((s) => (s.ttlSeconds === undefined ? [] : [s.ttlSeconds])));
  const rto = i.parts.map((p) => i.rto.get(p.part.runbook.name)).filter((r): r is ScopeRto => r !== undefined);
  for (const r of rto) {
    if (r.withinBudget === false)
      findings.push(
        f(
          'over-budget',
          `rto/${r.runbook}`,
          `${scope.label}: ${r.runbook}'s predicted RTO ${formatDuration(r.predictedMs ?? 0)} is over its budget ${formatDuration(r.budgetMs ?? 0)}`,
          { runbook: r.runbook },
        ),
      );
  }
  const budgets = i.parts.map((p) => p.part.runbook.budgetMs).filter((b): b is number => b !== undefined);
  const ttlOver = ttlSeconds >= 0 && budgets.length > 0 && ttlSeconds * 1000 > Math.min(...budgets);
  if (ttlOver)
    findings.push(
      f(
        'ttl',
        'ttl',
        `${scope.label}: clients may keep the old DNS answer ${ttlSeconds}s, over the budget ${formatDuration(Math.min(...budgets))}`,
      ),
    );
  const withinBudget =
    rto.some((r) => r.withinBudget === false) || ttlOver ? false : rto.every((r) => r.withinBudget === true) ? true : null;
  const failed = steps.find((s) => s.verdict === 'fail');
  const verdict = failed ? 'not-survivable' : losing ? 'data-loss' : 'survivable';
  const unknown = steps.filter((s) => s.verdict === 'unknown').length;
  const why = failed
    ? `${failed.runbook}/${failed.step}: ${failed.reason}`
    : losing
      ? (findings.find((x) => x.what === 'data-loss')?.message.replace(`${scope.label}: `, '') ?? 'would lose data')
      : `every step can run${unknown > 0 ? ` (${unknown} cannot be judged)` : ''}`;
  const leaves = uniqueLeaves(steps);
  const facts: ScopeFacts = {
    ...base,
    steps,
    verdict,
    why,
    dataLoss,
    headroom,
    ttlSeconds: ttlSeconds >= 0 ? ttlSeconds : null,
    rto,
    withinBudget,
    rehearsal: i.rehearsal,
    leaves,
    oneFailureFromDataLoss: leaves.some((r) => r.risk === 'data'),
    findings,
  };
  return { ...facts, score: scopeScore(facts, i.freshDays) };
}
