import type { AssessmentDocument } from './assessment.js';
import type { LeverRecord, PauseRecord } from './safety.js';

/**
 * An inspection (巡检, `drctl inspect`, made for cron): readiness and steady-state probes, plans, saved
 * plans and the assessment of every catalogued scenario, with its findings and the drift since the
 * previous inspection. Kept in the state store beside runs (every store: folder, Redis, etcd).
 */
export const INSPECTION_SCHEMA_VERSION = 1;

/** What `history` lists: the header of an inspection. */
export interface InspectionMeta {
  readonly schemaVersion: number;
  readonly kind: 'inspection';
  /** Sortable: 20261121T020001Z-inspect-a1b2. */
  readonly id: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly host: string;
  readonly user: string;
  /** Runbooks of the catalog it inspected (by name). */
  readonly runbooks: readonly string[];
  readonly findings: number;
  /** Findings that were not there at the previous inspection. */
  readonly appeared: number;
  readonly resolved: number;
}

export interface InspectionFinding {
  /** Stable across inspections: drift is tracked by it. */
  readonly key: string;
  readonly what:
    | 'check'
    | 'plan'
    | 'stale-plan'
    | 'no-plan'
    | 'ambiguous'
    | 'step'
    | 'data-loss'
    | 'over-budget'
    | 'ttl'
    | 'headroom'
    | 'lever'
    | 'paused';
  readonly message: string;
  readonly runbook?: string | undefined;
  readonly scope?: string | undefined;
  /** When it was first seen, in an unbroken run of inspections (this one's start when new). */
  readonly since: string;
}

export interface InspectionCheck {
  readonly runbook: string;
  readonly group: 'readiness' | 'steadyState';
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface InspectionPlan {
  readonly runbook: string;
  readonly counts: Readonly<Record<string, number>>;
  /** Steps that could not be observed (or decided), with why. */
  readonly unobservable: readonly { readonly step: string; readonly error: string }[];
}

/** What an inspection reads of the safety controls: an engaged lever and each pause are findings. */
export interface InspectionSafety {
  readonly lever: LeverRecord | null;
  readonly paused: readonly PauseRecord[];
}

export interface InspectionRecord extends InspectionMeta {
  readonly checks: readonly InspectionCheck[];
  readonly plans: readonly InspectionPlan[];
  readonly savedPlans: readonly { readonly file: string; readonly runbook: string; readonly fresh: boolean; readonly detail: string }[];
  /** The catalogued scenarios' scopes (those the catalog has a plan or an ambiguity for). */
  readonly assessment: AssessmentDocument;
  /** Scopes the catalog is expected to cover (carried from earlier inspections) and those it covers now. */
  readonly coverage: { readonly expected: readonly string[]; readonly covered: readonly string[] };
  /** The safety lever (null: never engaged) and the catalog's runbooks paused after a failed rehearsal; absent in older records. */
  readonly safety?: InspectionSafety | undefined;
  readonly findingList: readonly InspectionFinding[];
  readonly drift: {
    readonly previous: { readonly id: string; readonly startedAt: string } | null;
    readonly appeared: readonly string[];
    readonly resolved: readonly { readonly key: string; readonly message: string; readonly since: string }[];
  };
}
