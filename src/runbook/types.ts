/**
 * The runbook model after loading + validation + normalization. Durations are ms. Values inside
 * `with:` are still raw (may contain `${...}`): they are interpolated per step at run time, once the
 * outputs of the steps they need are known.
 */
import type { Probe } from '../model/probe.js';

export type {
  ExecExpect,
  HttpExpect,
  HttpRequestSpec,
  JsonExpect,
  Probe,
  ProbeRunOptions,
  RedisProbe,
  RedisProbeSpec,
  SqlProbe,
  SqlProbeSpec,
  Tolerance,
} from '../model/probe.js';

export const RUNBOOK_API_VERSION = 'drctl/v1';

export type OnFailure = 'stop' | 'rollback';

export interface RetryPolicy {
  /** Extra attempts after the first (0 = no retry). */
  readonly retries: number;
  readonly backoffMs: number;
  readonly backoffFactor: number;
  readonly maxBackoffMs: number;
}

export interface StepSpec {
  readonly id: string;
  readonly kind: string;
  readonly description: string | undefined;
  readonly needs: readonly string[];
  /** Raw params (after YAML), interpolated at run time. */
  readonly with: unknown;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly budgetMs: number | undefined;
  /** Verify poll interval override. */
  readonly verifyIntervalMs: number | undefined;
  /** Index in spec.steps (for positions and stable order). */
  readonly index: number;
  /** `dc:` — the data centers this step needs (assess: lost → the step cannot run). */
  readonly dcs?: readonly string[];
}

/** A disaster this runbook answers (spec.scenarios). */
export interface ScenarioSpec {
  readonly name: string;
  readonly description: string | undefined;
  /** As written: data-center or city names of the topology (the catalog resolves cities). */
  readonly lost: readonly string[];
  readonly params: Readonly<Record<string, unknown>>;
  /** Index in spec.scenarios. */
  readonly index: number;
}

export interface FaultSpec {
  readonly description: string | undefined;
  readonly kind: string;
  /** Raw params, interpolated when the rehearsal injects. */
  readonly with: unknown;
  readonly timeoutMs: number;
  /** Probes that hold once the outage is seen: detection = the first time one holds (detectAll: the last). */
  readonly detect: readonly Probe[];
  /** detectWhen: all — detected when every detect probe has held once. */
  readonly detectAll: boolean;
  /** `lost:` — the data centers the fault cuts (ctx.lost of the switch); undefined: the fault kind's lostDcs(). */
  readonly lost: readonly string[] | undefined;
  readonly detectTimeoutMs: number;
  /** After the switch, steady state must hold again within this. */
  readonly recoverTimeoutMs: number;
  /** Param values used while rehearsing (a real cut needs e.g. acceptDataLoss: true). */
  readonly params: Readonly<Record<string, unknown>>;
}

export interface ParamSpec {
  readonly default: unknown;
  readonly description: string | undefined;
  readonly required: boolean;
}

export interface Runbook {
  readonly apiVersion: typeof RUNBOOK_API_VERSION;
  readonly name: string;
  readonly description: string | undefined;
  /** Absolute path of the file and its folder. */
  readonly file: string;
  readonly baseDir: string;
  /** sha256 of the file's bytes (resume refuses a changed runbook). */
  readonly hash: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly budgetMs: number | undefined;
  readonly concurrency: number;
  readonly onFailure: OnFailure;
  /** Lock scope: runs sharing a scope never overlap (default: the runbook name). */
  readonly lockScope: string;
  readonly plugins: readonly string[];
  readonly readiness: readonly Probe[];
  readonly steadyState: readonly Probe[];
  readonly steps: readonly StepSpec[];
  /** Sections owned by later features (fault, schedule, stopConditions), kept raw. */
  /** The fault `rehearse` injects and always restores (a kind: apply injects, rollback restores). */
  readonly fault: FaultSpec | undefined;
  /** Probes watched during a rehearsal; a breach aborts it (restore + fail back). */
  readonly stopConditions: readonly Probe[];
  /** Rehearsal schedule policy, as written (checked by rehearsal/schedule.ts parseSchedule). */
  readonly schedule: unknown;
  /** spec.topology, absolute. */
  readonly topology?: string | undefined;
  /** spec.scenarios: the disasters this runbook answers. */
  readonly scenarios?: readonly ScenarioSpec[];
}
