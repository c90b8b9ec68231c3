import type { DataLoss, Residual, StepVerdict } from './assess.js';

/**
 * The assessment document (`drctl assess --json`, the inspection records, the Markdown and HTML heat
 * map): which failure scopes of the topology the estate survives now, with which plan, at what cost.
 * Plain JSON; versioned (runbooks/schema/assessment.schema.json describes it).
 */
export const ASSESSMENT_SCHEMA_VERSION = 1;

/** dc: one data center; city: every data center of a city; pair: two data centers in different cities. */
export type ScopeClass = 'dc' | 'city' | 'pair' | 'custom';
export type ScopeVerdict = 'survivable' | 'data-loss' | 'not-survivable';
/** The columns of the heat map: what a step acts on. */
export type CheckCategory = 'database' | 'cache' | 'routing' | 'lb' | 'dns' | 'other';
export const CHECK_CATEGORIES: readonly CheckCategory[] = ['database', 'cache', 'routing', 'lb', 'dns', 'other'];

export interface AssessedStep {
  readonly runbook: string;
  readonly step: string;
  readonly kind: string;
  readonly category: CheckCategory;
  readonly verdict: StepVerdict;
  readonly reason: string;
  readonly dataLoss?: DataLoss | undefined;
  readonly headroom?: { readonly pct: number; readonly zone: string } | undefined;
  readonly ttlSeconds?: number | undefined;
  readonly leaves: readonly Residual[];
}

export interface ScopePlan {
  /** plan: a scenario answers it; none: NO PLAN; ambiguous: several scenarios answer it equally well. */
  readonly status: 'plan' | 'none' | 'ambiguous';
  readonly scenario: string | null;
  /** exact: the scenario's lost set is this scope; covering: the smallest scenario that contains it. */
  readonly match: 'exact' | 'covering' | null;
  readonly scenarioLost: readonly string[];
  /** The runbooks that answer the scenario (one per part of the estate), with the scenario's params. */
  readonly runbooks: readonly { readonly name: string; readonly file: string; readonly params: Readonly<Record<string, unknown>> }[];
  /** ambiguous: the scenarios that tie. */
  readonly candidates: readonly string[];
}

/** A runbook's predicted RTO (medians over its succeeded rehearsals) against its budget. */
export interface ScopeRto {
  readonly runbook: string;
  readonly predictedMs: number | null;
  readonly detectionMs: number | null;
  readonly switchMs: number | null;
  readonly convergenceMs: number | null;
  /** Succeeded rehearsals with a measured RTO the prediction is based on (0: never rehearsed). */
  readonly basedOn: number;
  readonly budgetMs: number | null;
  /** null when it cannot be told (never rehearsed, or no budget). */
  readonly withinBudget: boolean | null;
}

/** The rehearsals of the scope's scenario (linked by runbook and params: see README "Assess"). */
export interface ScopeRehearsal {
  readonly latestOutcome: 'SUCCEEDED' | 'FAILED' | 'INTERRUPTED' | null;
  readonly latestAt: string | null;
  readonly lastSucceededAt: string | null;
  readonly lastSucceededRunId: string | null;
  /** Days since the last succeeded rehearsal (null: never). */
  readonly ageDays: number | null;
}

export interface Finding {
  /** Stable across runs (scope, and what): inspections track drift by it. */
  readonly key: string;
  readonly scope: string;
  readonly what: 'no-plan' | 'ambiguous' | 'step' | 'data-loss' | 'over-budget' | 'ttl' | 'headroom';
  readonly message: string;
  readonly runbook?: string | undefined;
  readonly step?: string | undefined;
}

export interface ScopeAssessment {
  /** "hz-a", "hz" (a city), "hz-a+sh-b". */
  readonly id: string;
  readonly class: ScopeClass;
  readonly label: string;
  readonly lost: readonly string[];
  readonly plan: ScopePlan;
  readonly steps: readonly AssessedStep[];
  readonly verdict: ScopeVerdict;
  /** One line: why (the first failing step, the data loss), or what holds. */
  readonly why: string;
  /** Data lost: bytes (PostgreSQL), transactions (MySQL); unknown when a lag cannot be read now. */
  readonly dataLoss: { readonly bytes: number; readonly transactions: number; readonly unknown: boolean } | null;
  readonly headroom: { readonly pct: number; readonly zone: string } | null;
  readonly ttlSeconds: number | null;
  readonly rto: readonly ScopeRto[];
  /** Every part's RTO and the DNS TTL within budget (null: cannot be told). */
  readonly withinBudget: boolean | null;
  readonly rehearsal: ScopeRehearsal;
  /** What the estate is left with afterwards. */
  readonly leaves: readonly Residual[];
  readonly oneFailureFromDataLoss: boolean;
  /** 0-100 (README "Assess": the score). */
  readonly score: number;
  readonly findings: readonly Finding[];
}

export type EstateLevel = 'L0' | 'L1' | 'L2' | 'L3';

export interface AssessmentDocument {
  readonly schemaVersion: number;
  readonly kind: 'assessment';
  readonly generatedAt: string;
  readonly durationMs: number;
  readonly topology: {
    readonly name: string;
    readonly file: string;
    readonly cities: readonly { readonly name: string; readonly dcs: readonly string[] }[];
  };
  readonly catalog: {
    readonly runbooks: readonly { readonly name: string; readonly file: string; readonly scenarios: readonly string[] }[];
    readonly scenarios: readonly { readonly name: string; readonly lost: readonly string[]; readonly runbooks: readonly string[] }[];
  };
  readonly scopes: readonly ScopeAssessment[];
  /** Only set when every scope class was assessed (not for --scope or an inspection). */
  readonly level: { readonly level: EstateLevel; readonly name: string; readonly reason: string } | null;
  readonly score: { readonly value: number; readonly byClass: Readonly<Partial<Record<ScopeClass, number>>> } | null;
  readonly findings: readonly Finding[];
  readonly options: { readonly minHeadroomPct: number; readonly freshDays: number };
}
