/**
 * Which scenario of the catalog answers a loss (drctl assess, inspect, respond): the one whose lost set
 * is exactly the loss; else the smallest one that contains it. Several that tie (two exact ones, or two
 * smallest covering ones) are ambiguous: respond must refuse, assess reports it. Pure.
 */
export interface ScenarioLike {
  readonly name: string;
  /** Data centers, resolved (a city already expanded). */
  readonly lost: readonly string[];
}

export type PlanLookup<S extends ScenarioLike> =
  | { readonly status: 'plan'; readonly match: 'exact' | 'covering'; readonly scenario: S }
  | { readonly status: 'ambiguous'; readonly match: 'exact' | 'covering'; readonly candidates: readonly S[] }
  | { readonly status: 'none' };

export function lookupScenario<S extends ScenarioLike>(scenarios: readonly S[], lost: readonly string[]): PlanLookup<S> {
  const want = new Set(lost);
  const covering = scenarios.filter((s) => [...want].every((dc) => s.lost.includes(dc)));
  const exact = covering.filter((s) => new Set(s.lost).size === want.size);
  if (exact.length > 0) return pick(exact, 'exact');
  if (covering.length === 0) return { status: 'none' };
  const smallest = Math.min(...covering.map((s) => new Set(s.lost).size));
  return pick(
    covering.filter((s) => new Set(s.lost).size === smallest),
    'covering',
  );
}

function pick<S extends ScenarioLike>(tied: readonly S[], match: 'exact' | 'covering'): PlanLookup<S> {
  const first = tied[0] as S;
  return tied.length === 1 ? { status: 'plan', match, scenario: first } : { status: 'ambiguous', match, candidates: tied };
}
