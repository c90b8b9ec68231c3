/**
 * Building blocks of the published JSON Schemas (draft 2020-12) of drctl's documents and events: plain
 * data, written once here; `drctl schema NAME` prints them and runbooks/schema/ holds the committed copies.
 * Every schema passes ajv's strict mode.
 */
export type Schema = { readonly [key: string]: unknown };

export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';
export const schemaId = (name: string, version: number): string => `https://drctl.dev/schema/${name}.v${version}.json`;

export const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
export const int = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) });
export const num = (description?: string): Schema => ({ type: 'number', ...(description ? { description } : {}) });
export const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
export const iso = (description = 'ISO-8601 UTC time'): Schema => ({ type: 'string', description });
export const any = (description: string): Schema => ({ description });
export const arr = (items: Schema, description?: string): Schema => ({ type: 'array', items, ...(description ? { description } : {}) });
export const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
export const oneOfConst = (values: readonly string[], description?: string): Schema => ({
  type: 'string',
  enum: values,
  ...(description ? { description } : {}),
});
export const mapOf = (values: Schema, description?: string): Schema => ({
  type: 'object',
  additionalProperties: values,
  ...(description ? { description } : {}),
});
export const anyMap = (description: string): Schema => ({ type: 'object', description });

/** An object: `props` required unless named in `optional`; no other keys unless `open`. */
export function obj(
  props: Readonly<Record<string, Schema>>,
  o: { readonly optional?: readonly string[]; readonly open?: boolean; readonly description?: string } = {},
): Schema {
  const optional = new Set(o.optional ?? []);
  const required = Object.keys(props).filter((k) => !optional.has(k));
  return {
    type: 'object',
    ...(o.description ? { description: o.description } : {}),
    properties: props,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: o.open === true,
  };
}

export const RUN_MODES = ['run', 'drill', 'rollback', 'resume', 'rehearse'] as const;
export const RUN_STATUSES = ['succeeded', 'failed', 'interrupted', 'running', 'skipped'] as const;
export const STEP_STATUSES = [
  'waiting',
  'running',
  'skipped',
  'applied',
  'failed',
  'retrying',
  'rolling-back',
  'rolled-back',
  'already-as-before',
  'cancelled',
] as const;
export const STEP_PHASES = ['observe', 'apply', 'verify', 'rollback'] as const;
export const OUTCOMES = ['SUCCEEDED', 'FAILED', 'INTERRUPTED', 'SKIPPED'] as const;

const position = {
  file: str('The file, or the flag (--plugin) a problem belongs to'),
  line: int('1-based; 0: the file as a whole'),
  column: int(),
};
export const diagnostic = obj(
  {
    severity: oneOfConst(['error', 'warning']),
    code: str('Stable machine code: unknown-kind, needs-cycle, bad-duration, ...'),
    message: str(),
    hint: str(),
    ...position,
    related: arr(obj({ ...position, message: str() })),
    length: int('Characters the caret underlines'),
  },
  { optional: ['hint', 'related', 'length'] },
);

export const runbookRef = obj({ name: str(), file: str(), hash: str('sha256 of the runbook file') });

export const rtoBreakdown = obj(
  {
    totalMs: num(),
    detectionMs: num(),
    switchMs: num(),
    convergenceMs: num(),
    steps: mapOf(num(), "Each switch step's share"),
  },
  { description: 'RTO = recovered − t0 = detection + switch + convergence' },
);

export const runSummary = obj(
  {
    steps: mapOf(obj({ status: oneOfConst(STEP_STATUSES), durationMs: num() })),
    criticalPath: arr(str()),
    criticalPathMs: num(),
    budgetExceeded: arr(str(), 'Step ids over their budget; "(total)" for the runbook\'s'),
    error: str(),
  },
  { optional: ['error'] },
);

/** run.json: the run's header. */
export const runMeta = obj(
  {
    schemaVersion: int(),
    runId: str(),
    mode: oneOfConst(RUN_MODES),
    runbook: runbookRef,
    lockScope: str(),
    status: oneOfConst(RUN_STATUSES),
    startedAt: iso(),
    endedAt: iso(),
    durationMs: num(),
    host: str(),
    user: str(),
    pid: int(),
    summary: runSummary,
    halves: obj({ switch: oneOfConst(RUN_STATUSES), failBack: oneOfConst([...RUN_STATUSES]) }),
    resumes: arr(obj({ at: iso(), host: str(), user: str(), pid: int(), forced: bool() })),
    rehearsal: obj(
      { outcome: oneOfConst(OUTCOMES), rtoMs: num(), budgetMs: num(), reasons: arr(str()), rto: rtoBreakdown },
      { optional: ['rtoMs', 'budgetMs', 'rto'] },
    ),
    rolledBack: obj(
      {
        at: iso(),
        ok: bool('Every step is back, and a fault left in place restored'),
        to: oneOfConst(['baseline', 'before-states'], "A drill or rehearsal: the baseline; a run: each step's before-state"),
        restored: arr(str(), 'Steps an undo changed back'),
        alreadyAsBefore: arr(str(), 'Steps already as they were: nothing undone'),
        failed: mapOf(str(), 'Steps whose undo failed, with why'),
        notReached: arr(str(), 'Left for the next drctl rollback'),
        unknown: arr(str(), 'Steps with no observed state to return to'),
        fault: obj(
          { describe: str(), restored: bool(), error: str() },
          { optional: ['error'], description: 'The fault a dead rehearsal left in place' },
        ),
        runStatus: oneOfConst(RUN_STATUSES, "The run's own status before any rollback"),
        runError: str("The run's own error before any rollback"),
      },
      { optional: ['to', 'restored', 'alreadyAsBefore', 'failed', 'notReached', 'unknown', 'fault', 'runStatus', 'runError'] },
    ),
  },
  { optional: ['lockScope', 'endedAt', 'durationMs', 'summary', 'halves', 'resumes', 'rehearsal', 'rolledBack'] },
);

export const stepError = obj(
  { message: str(), phase: oneOfConst(STEP_PHASES), retryable: bool(), timedOut: bool(), unchanged: bool() },
  { optional: ['timedOut', 'unchanged'] },
);
