import { errorSchema } from './envelope.js';
import {
  any,
  anyMap,
  arr,
  bool,
  diagnostic,
  int,
  iso,
  mapOf,
  nullable,
  num,
  obj,
  oneOfConst,
  OUTCOMES,
  rtoBreakdown,
  RUN_MODES,
  RUN_STATUSES,
  runbookRef,
  runMeta,
  runSummary,
  schemaId,
  SCHEMA_DIALECT,
  STEP_PHASES,
  STEP_STATUSES,
  stepError,
  str,
  type Schema,
} from './parts.js';

const base = { runId: str(), at: iso() };
const ev = (type: string, props: Readonly<Record<string, Schema>>, optional: readonly string[] = [], description?: string): Schema =>
  obj({ type: { const: type }, ...base, ...props }, { optional, ...(description ? { description } : {}) });
const step = { stepId: str() };
const timing = obj(
  {
    queuedAt: iso(),
    startedAt: iso(),
    endedAt: iso(),
    durationMs: num(),
    attempts: int(),
    phases: mapOf(num()),
    status: oneOfConst(STEP_STATUSES),
  },
  { optional: ['startedAt', 'endedAt'] },
);

/** Every engine event: the journal's records and the --json stream's lines are these. */
export const EVENT_SCHEMAS: readonly Schema[] = [
  ev(
    'run.started',
    {
      mode: oneOfConst(RUN_MODES),
      runbook: runbookRef,
      params: anyMap('Resolved params (secrets as ***)'),
      steps: arr(obj({ id: str(), kind: str(), needs: arr(str()), budgetMs: num() }, { optional: ['budgetMs'] })),
      budgetMs: num(),
      host: str(),
      user: str(),
      pid: int(),
      lost: arr(
        str('A data center the run was told is lost (--lost, respond, a rehearsal fault): its steps did not wait on members there'),
      ),
    },
    ['budgetMs', 'lost'],
  ),
  ev(
    'check.passed',
    { group: oneOfConst(['readiness', 'steadyState', 'stopConditions']), name: str(), detail: str(), durationMs: num(), phase: str() },
    ['phase'],
  ),
  ev(
    'check.failed',
    { group: oneOfConst(['readiness', 'steadyState', 'stopConditions']), name: str(), detail: str(), durationMs: num(), phase: str() },
    ['phase'],
  ),
  ev('step.queued', step),
  ev('step.started', { ...step, attempt: int() }),
  ev('step.phase', { ...step, phase: oneOfConst(STEP_PHASES), durationMs: num(), ok: bool() }),
  ev('step.progress', { ...step, message: str() }),
  ev('step.command', { ...step, pid: int(), startTime: str(), command: str() }),
  ev('step.intent', { ...step, attempt: int(), before: any('Observed state'), desired: any('Desired state'), describe: str() }, [
    'before',
    'desired',
  ]),
  ev('step.skipped', { ...step, reason: str(), state: any('Observed state'), outputs: anyMap('Step outputs') }, ['state']),
  ev(
    'step.applied',
    { ...step, after: any('State after'), describe: str(), outputs: anyMap('Step outputs'), notes: anyMap('Kind notes') },
    ['after'],
  ),
  ev('step.retrying', { ...step, attempt: int(), delayMs: num(), error: stepError }),
  ev('step.failed', { ...step, error: stepError, notes: anyMap('Kind notes') }),
  ev('step.cancelled', { ...step, reason: str() }),
  ev('step.timing', { ...step, timing }),
  ev('rollback.started', { reason: str(), steps: arr(str()) }),
  ev('step.rolling-back', step),
  ev('step.rollback-intent', { ...step, current: any('State found'), before: any('The before-state restored') }, ['current', 'before']),
  ev(
    'step.rolled-back',
    {
      ...step,
      describe: str('What the undo did, or "already as before: nothing undone"'),
      durationMs: num(),
      changed: bool('false: the state already equalled the one rolled back to, nothing was undone (absent in older records: true)'),
    },
    ['changed'],
  ),
  ev('step.rollback-failed', { ...step, error: stepError, durationMs: num() }),
  ev('rollback.finished', { ok: bool() }),
  ev(
    'budget.exceeded',
    {
      stepId: str("Absent: the runbook's budget (the whole switch, or a rehearsal's RTO)"),
      durationMs: num(),
      budgetMs: num(),
      message: str(),
    },
    ['stepId'],
  ),
  ev('run.interrupted', { signal: str() }),
  ev(
    'step.recovered',
    { ...step, before: any('The before-state of the interrupted apply'), outputs: anyMap('Step outputs'), reason: str() },
    ['before'],
  ),
  ev(
    'run.resumed',
    {
      mode: oneOfConst(RUN_MODES),
      fromSeq: int(),
      forced: bool(),
      runbookChanges: arr(str()),
      journalWarning: str(),
      done: arr(str()),
      inFlight: arr(str()),
      decisions: obj({ assumeApplied: arr(str()), reapply: arr(str()) }),
    },
    ['journalWarning', 'decisions'],
  ),
  ev(
    'lock.acquired',
    { scope: str(), token: int(), expiresAt: iso(), tookOver: obj({ runId: str(), holder: str(), token: int(), why: str() }) },
    ['tookOver'],
  ),
  ev('lock.force-released', { scope: str(), token: int(), by: str() }),
  ev('run.baseline', {
    states: anyMap("Each step's observed state before the fault (what `drctl rollback` returns it to)"),
    unobserved: mapOf(str(), 'Steps whose baseline could not be observed, with why'),
  }),
  ev('fault.intent', { describe: str(), before: any('What restore puts back') }, ['before']),
  ev('fault.injected', { describe: str(), lost: arr(str('A data center the fault cuts (ctx.lost of the switch)')) }, ['lost']),
  ev('fault.detected', { probe: str(), afterMs: num() }),
  ev('fault.restored', { describe: str(), ok: bool() }),
  ev('rehearsal.recovered', { rtoMs: num() }),
  ev('stop.breached', { name: str(), detail: str() }),
  ev('rehearsal.skipped', { reason: str() }),
  ev(
    'rehearsal.finished',
    { outcome: oneOfConst(OUTCOMES), rto: nullable(rtoBreakdown), budgetMs: num(), reasons: arr(str()), stepBudgetsMs: mapOf(num()) },
    ['budgetMs', 'stepBudgetsMs'],
  ),
  ev(
    'run.finished',
    {
      status: oneOfConst(RUN_STATUSES),
      durationMs: num(),
      summary: runSummary,
      rollback: oneOfConst(RUN_STATUSES, "A drctl rollback session: the rollback's own outcome (status stays the run's)"),
    },
    ['rollback'],
  ),
];

export const EVENT_TYPES: readonly string[] = EVENT_SCHEMAS.map(
  (s) => ((s['properties'] as Record<string, { const: string }>)['type'] as { const: string }).const,
);

/** The first line of every stream. */
const versionLine = obj(
  { type: { const: 'version' }, schemaVersion: { const: 1 }, drctl: str("drctl's version") },
  { description: "The first line: the stream's version" },
);
/** The last line of a stream that finished: the run record (run.json) plus the stream's version. */
const summaryLine = {
  ...runMeta,
  properties: { type: { const: 'summary' }, ...(runMeta['properties'] as object) },
  required: ['type', ...(runMeta['required'] as string[])],
  description: 'The last line: the run record',
};
/** The last line of a stream that ended in an error (a held lock, the store lost, bad input). */
const errorLine = obj(
  {
    type: { const: 'error' },
    schemaVersion: { const: 1 },
    command: str(),
    ok: { const: false },
    diagnostics: arr(diagnostic),
    error: errorSchema,
  },
  { description: 'The last line when the command failed before a summary' },
);

/** One line of `run|drill|rehearse|resume|rollback --json` (NDJSON): exactly one of these, chosen by `type`. */
export const eventsSchema: Schema = {
  $schema: SCHEMA_DIALECT,
  $id: schemaId('events', 1),
  title: 'drctl run|drill|rehearse|resume|rollback|respond --json: one NDJSON line',
  description:
    'Each line of the stream validates on its own: the version line, an engine event (the journal records the same), then a summary line, or an error line.',
  oneOf: [versionLine, summaryLine, errorLine, ...EVENT_SCHEMAS],
};
