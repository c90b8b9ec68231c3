import type { AssessmentDocument, EstateLevel, ScopeAssessment, ScopeClass, ScopeRehearsal } from '../model/assessment.js';

export type ScopeFacts = Omit<ScopeAssessment, 'score'>;

/** A succeeded rehearsal counts in full this many days (README "Assess": the score). */
export const FRESH_DAYS = 30;

/**
 * How much a scenario's rehearsals vouch for it, 0-1 (Gremlin's 100 passed / 75 stale / 50 failed / 0
 * never): the latest rehearsal failed (or was interrupted) 0.5; the last one succeeded within `freshDays`
 * 1; older, 0.75 halving every further `freshDays`; never rehearsed 0.
 */
export function freshness(r: ScopeRehearsal, freshDays = FRESH_DAYS): number {
  if (r.latestOutcome !== null && r.latestOutcome !== 'SUCCEEDED') return 0.5;
  if (r.ageDays === null) return 0;
  if (r.ageDays <= freshDays) return 1;
  return 0.75 * 0.5 ** ((r.ageDays - freshDays) / freshDays);
}

/** The scope survives with RPO 0 within budget, every step judged. */
export const survivesClean = (s: ScopeFacts): boolean =>
  s.verdict === 'survivable' && s.withinBudget !== false && s.steps.every((x) => x.verdict === 'ok');

/**
 * 0-100 for one scope: 0 without a plan, with an ambiguous one, or when not survivable now; else
 * 40 × capability (1 when it survives with RPO 0 within budget, 0.5 with data loss, over budget or a step
 * that cannot be judged) + 60 × freshness of its scenario's rehearsals.
 */
export function scopeScore(s: ScopeFacts, freshDays = FRESH_DAYS): number {
  if (s.plan.status !== 'plan' || s.verdict === 'not-survivable') return 0;
  const capability = survivesClean(s) ? 1 : 0.5;
  return Math.round(40 * capability + 60 * freshness(s.rehearsal, freshDays));
}

const mean = (xs: readonly number[]): number | undefined => (xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The estate's score: the mean over the scope classes present (dc, city, pair) of each class's mean scope score. */
export function estateScore(scopes: readonly ScopeAssessment[]): NonNullable<AssessmentDocument['score']> {
  const byClass: Partial<Record<ScopeClass, number>> = {};
  for (const c of ['dc', 'city', 'pair'] as const) {
    const m = mean(scopes.filter((s) => s.class === c).map((s) => s.score));
    if (m !== undefined) byClass[c] = Math.round(m);
  }
  const value = Math.round(mean(Object.values(byClass)) ?? 0);
  return { value, byClass };
}

export const LADDER: readonly { readonly level: EstateLevel; readonly name: string }[] = [
  { level: 'L0', name: 'survives no whole class of failure' },
  { level: 'L1', name: 'survives the loss of any one data center' },
  { level: 'L2', name: 'survives the loss of any one city' },
  { level: 'L3', name: 'survives the loss of any two data centers in different cities' },
];

/**
 * The largest class of scope every member of which the estate survives with RPO 0 within budget (the
 * ladder: L1 each data center, L2 each city as well, L3 each cross-city pair as well). A class the
 * topology does not have (one city: no pairs) is met.
 */
export function estateLevel(scopes: readonly ScopeAssessment[]): NonNullable<AssessmentDocument['level']> {
  const classes: ScopeClass[] = ['dc', 'city', 'pair'];
  let reached = 0;
  for (const c of classes) {
    const failing = scopes.filter((s) => s.class === c && !survivesClean(s));
    if (failing.length > 0) {
      const rung = LADDER[reached] ?? LADDER[0];
      const next = LADDER[reached + 1]?.name ?? '';
      const list = failing
        .slice(0, 4)
        .map(
          (s) =>
            `${s.id} (${s.plan.status === 'none' ? 'NO PLAN' : s.verdict === 'survivable' ? 'not within budget or not judged' : s.verdict})`,
        )
        .join(', ');
      return {
        level: rung?.level ?? 'L0',
        name: rung?.name ?? '',
        reason: `not ${next.replace('survives', 'surviving')}: ${list}${failing.length > 4 ? `, and ${failing.length - 4} more` : ''}`,
      };
    }
    reached++;
  }
  const top = LADDER[LADDER.length - 1] ?? { level: 'L3' as const, name: '' };
  return { level: top.level, name: top.name, reason: 'every data center, city and cross-city pair survives with RPO 0 within budget' };
}
