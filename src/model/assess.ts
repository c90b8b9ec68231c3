/**
 * The what-if contract (drctl assess): a kind's `assess(params, observed, lost)` says, from what its
 * observe read now, whether the step would succeed if the data centers in `lost` were gone, and at what
 * cost. Pure: never any I/O (observe reads every fact assess needs). Plain JSON data.
 */
export type StepVerdict = 'ok' | 'fail' | 'unknown';

/** Data a step would lose: a replica's lag now, when the primary is among the lost. */
export interface DataLoss {
  /** How much; null when it cannot be known now (the primary cannot be read). */
  readonly amount: number | null;
  readonly unit: 'bytes' | 'transactions';
  /** What it is: "pg-sh-a's replay lag now". */
  readonly what: string;
}

/** What the estate is left with after the loss (and the step): a risk for the next failure. */
export interface Residual {
  readonly text: string;
  /** data: the next loss loses data; failover: no automatic failover left; capacity; traffic: one server left. */
  readonly risk: 'data' | 'failover' | 'capacity' | 'traffic';
}

export interface StepAssessment {
  readonly verdict: StepVerdict;
  /** One line naming what decides the verdict: "pg-sh-a (sh-a) can be promoted: replay lag now 0 B". */
  readonly reason: string;
  readonly dataLoss?: DataLoss | undefined;
  /** rules.flip: the smallest headroom (%) of a surviving zone after the flip, and that zone. */
  readonly headroom?: { readonly pct: number; readonly zone: string } | undefined;
  /** dns.record: how long clients may keep the old answer (its TTL now), seconds. */
  readonly ttlSeconds?: number | undefined;
  readonly leaves?: readonly Residual[] | undefined;
}

export const assessOk = (reason: string, extra: Omit<StepAssessment, 'verdict' | 'reason'> = {}): StepAssessment => ({
  verdict: 'ok',
  reason,
  ...extra,
});
export const assessFail = (reason: string, extra: Omit<StepAssessment, 'verdict' | 'reason'> = {}): StepAssessment => ({
  verdict: 'fail',
  reason,
  ...extra,
});
export const assessUnknown = (reason: string, extra: Omit<StepAssessment, 'verdict' | 'reason'> = {}): StepAssessment => ({
  verdict: 'unknown',
  reason,
  ...extra,
});

/** Where each endpoint of a step lives (a kind's `dcs:` param): server name or address → data center. */
export type EndpointDcs = Readonly<Record<string, string>>;

/** "name (dc)" or "name (data center unknown)". */
export const placed = (name: string, dc: string | null | undefined): string => `${name} (${dc ?? 'data center unknown'})`;

/** "hz-a, hz-b" for messages. */
export const listText = (names: readonly string[]): string => (names.length === 0 ? 'none' : names.join(', '));
