import { dirname, resolve } from 'node:path';
import { parseDuration } from '../util/duration.js';
import { normalizeProbe } from './normalize-probe.js';
import {
  RUNBOOK_API_VERSION,
  type FaultSpec,
  type OnFailure,
  type ParamSpec,
  type Runbook,
  type ScenarioSpec,
  type StepSpec,
} from './types.js';

export const DEFAULT_STEP_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRIES = 0;
export const DEFAULT_RETRY_BACKOFF_MS = 500;
export const DEFAULT_BACKOFF_FACTOR = 2;
export const DEFAULT_MAX_BACKOFF_MS = 10_000;
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_ON_FAILURE: OnFailure = 'stop';

type Raw = Readonly<Record<string, unknown>>;

export const DEFAULT_FAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_DETECT_TIMEOUT_MS = 30_000;
export const DEFAULT_RECOVER_TIMEOUT_MS = 60_000;

export interface NormalizeSource {
  /** Absolute path of the runbook. */
  readonly file: string;
  readonly hash: string;
}

/** Apply defaults and canonical forms. Expects data that passed validation (no errors). */
export function normalizeRunbook(data: unknown, source: NormalizeSource): Runbook {
  const root = data as Raw;
  const metadata = (root['metadata'] ?? {}) as Raw;
  const spec = (root['spec'] ?? {}) as Raw;
  const defaults = (spec['defaults'] ?? {}) as Raw;
  const name = String(metadata['name']);
  return {
    apiVersion: RUNBOOK_API_VERSION,
    name,
    description: optionalString(metadata['description']),
    file: source.file,
    baseDir: dirname(source.file),
    hash: source.hash,
    params: normalizeParams(spec['params']),
    budgetMs: optionalMs(spec['budget']),
    concurrency: typeof spec['concurrency'] === 'number' ? spec['concurrency'] : DEFAULT_CONCURRENCY,
    onFailure: spec['onFailure'] === 'rollback' ? 'rollback' : DEFAULT_ON_FAILURE,
    lockScope: optionalString(spec['lockScope']) ?? name,
    plugins: asArray(spec['plugins']).map(String),
    readiness: asArray(spec['readiness']).map((p) => normalizeProbe(p as Raw)),
    steadyState: asArray(spec['steadyState']).map((p) => normalizeProbe(p as Raw)),
    steps: asArray(spec['steps']).map((s, index) => normalizeStep(s as Raw, index, defaults)),
    fault: spec['fault'] === undefined ? undefined : normalizeFault(spec['fault'] as Raw),
    stopConditions: asArray(spec['stopConditions']).map((p) => normalizeProbe(p as Raw)),
    schedule: spec['schedule'],
    topology: typeof spec['topology'] === 'string' ? resolve(dirname(source.file), spec['topology']) : undefined,
    scenarios: asArray(spec['scenarios']).map((x, index) => normalizeScenario(x as Raw, index)),
  };
}

function normalizeScenario(s: Raw, index: number): ScenarioSpec {
  return {
    name: String(s['name']),
    description: optionalString(s['description']),
    lost: namesOf(s['lost']),
    params: (s['params'] ?? {}) as Readonly<Record<string, unknown>>,
    index,
  };
}

/** `hz` or `[hz-a, hz-b]` → a list of names. */
export const namesOf = (v: unknown): string[] => (typeof v === 'string' ? [v] : asArray(v).map(String));

function normalizeFault(f: Raw): FaultSpec {
  return {
    description: optionalString(f['description']),
    kind: String(f['kind']),
    with: f['with'] ?? {},
    timeoutMs: optionalMs(f['timeout']) ?? DEFAULT_FAULT_TIMEOUT_MS,
    detect: asArray(f['detect']).map((p) => normalizeProbe(p as Raw)),
    detectAll: f['detectWhen'] === 'all',
    lost: f['lost'] === undefined ? undefined : namesOf(f['lost']),
    detectTimeoutMs: optionalMs(f['detectTimeout']) ?? DEFAULT_DETECT_TIMEOUT_MS,
    recoverTimeoutMs: optionalMs(f['recoverTimeout']) ?? DEFAULT_RECOVER_TIMEOUT_MS,
    params: (f['params'] ?? {}) as Readonly<Record<string, unknown>>,
  };
}

function normalizeStep(step: Raw, index: number, defaults: Raw): StepSpec {
  const pick = (key: string): unknown => step[key] ?? defaults[key];
  return {
    id: String(step['id']),
    kind: String(step['kind']),
    description: optionalString(step['description']),
    needs: asArray(step['needs']).map(String),
    with: step['with'] ?? {},
    timeoutMs: optionalMs(pick('timeout')) ?? DEFAULT_STEP_TIMEOUT_MS,
    retry: {
      retries: typeof pick('retries') === 'number' ? (pick('retries') as number) : DEFAULT_RETRIES,
      backoffMs: optionalMs(pick('retryBackoff')) ?? DEFAULT_RETRY_BACKOFF_MS,
      backoffFactor: DEFAULT_BACKOFF_FACTOR,
      maxBackoffMs: DEFAULT_MAX_BACKOFF_MS,
    },
    budgetMs: optionalMs(step['budget']),
    verifyIntervalMs: optionalMs(pick('verifyInterval')),
    index,
    ...(step['dc'] === undefined ? {} : { dcs: namesOf(step['dc']) }),
  };
}

function normalizeParams(raw: unknown): Record<string, ParamSpec> {
  const out: Record<string, ParamSpec> = {};
  for (const [name, spec] of Object.entries((raw ?? {}) as Raw)) {
    const p = (spec ?? {}) as Raw;
    out[name] = { default: p['default'], description: optionalString(p['description']), required: p['required'] === true };
  }
  return out;
}

export function optionalMs(value: unknown): number | undefined {
  return typeof value === 'string' ? parseDuration(value) : undefined;
}

const optionalString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const asArray = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
