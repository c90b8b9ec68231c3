export const PLAN_SCHEMA_VERSION = 1;

/** What a step would do: its glyph in the human view is in PLAN_GLYPHS. */
export type PlanAction = 'change' | 'noop' | 'unknown' | 'gate';

export const PLAN_GLYPHS: Readonly<Record<PlanAction, string>> = { change: '+', noop: '=', unknown: '?', gate: '!' };

export interface PlannedStep {
  readonly id: string;
  readonly kind: string;
  readonly needs: readonly string[];
  readonly action: PlanAction;
  readonly describe: string;
  readonly reason: string | undefined;
  readonly before: unknown;
  readonly desired: unknown;
  readonly error: string | undefined;
  readonly observeMs: number;
  /** Median duration of this step in earlier runs, if any. */
  readonly predictedMs: number | undefined;
  readonly budgetMs: number | undefined;
  /** sha256 of the step's resolved params (secrets as ***): a saved plan names the steps whose params changed. */
  readonly paramsHash: string | undefined;
}

export interface Plan {
  readonly schemaVersion: number;
  readonly runbook: { readonly name: string; readonly file: string; readonly hash: string };
  readonly createdAt: string;
  readonly steps: readonly PlannedStep[];
  readonly layers: readonly (readonly string[])[];
  readonly criticalPath: { readonly steps: readonly string[]; readonly predictedMs: number | undefined };
  readonly predictedMs: number | undefined;
  readonly budgetMs: number | undefined;
  readonly counts: Readonly<Record<PlanAction, number>>;
  /** The resolved run params the plan was made with. */
  readonly params: Readonly<Record<string, unknown>>;
  /** sha256 over the runbook hash, the params and every step's action, observed and desired state and resolved params: a saved plan is stale when it changes. */
  readonly fingerprint: string;
  readonly historyRuns: number;
  /** The data centers the run was told are lost (--lost; respond: its scenario's): not waited on while observing. */
  readonly lost?: readonly string[];
}
