import { anyMap, arr, bool, int, iso, mapOf, nullable, num, obj, oneOfConst, runMeta, str, STEP_STATUSES, OUTCOMES } from './parts.js';

/** The report document (`drctl report --json`): one run, read back from its journal. */
const segment = obj({
  phase: oneOfConst(['observe', 'apply', 'verify', 'rollback']),
  startAt: iso(),
  endAt: iso(),
  ok: bool(),
  attempt: int(),
});
const failureCause = obj({
  type: oneOfConst(['observe', 'apply', 'verify', 'rollback', 'budget', 'check', 'stop', 'fail-back', 'interrupted', 'run']),
  subject: str('A step id, a check "group name (phase)", a budget ("switch", "step ID"), a stop condition'),
  message: str(),
});
/** `report RUN_ID --json` (= --format json)'s result: the report every format renders. */
export const reportResult = obj(
  {
    schemaVersion: int(),
    run: runMeta,
    steps: arr(
      obj(
        {
          id: str(),
          kind: str(),
          status: oneOfConst(STEP_STATUSES),
          queuedAt: iso(),
          startedAt: iso(),
          endedAt: iso(),
          durationMs: num(),
          phases: mapOf(num()),
          attempts: int(),
          describe: str(),
          error: obj(
            { message: str(), phase: str(), retryable: bool(), timedOut: bool(), unchanged: bool() },
            { optional: ['timedOut', 'unchanged'] },
          ),
          overBudget: obj({ budgetMs: num(), message: str(), counted: bool('Counted against the run (else a finding)') }),
          notes: anyMap('Kind-specific notes: lag, election time, TTL...'),
          rollback: obj(
            { status: oneOfConst(['rolled-back', 'already-as-before', 'failed']), durationMs: num(), message: str(), endedAt: iso() },
            { optional: ['endedAt'] },
          ),
          segments: arr(segment),
          retries: arr(obj({ at: iso(), attempt: int(), delayMs: num(), message: str() })),
        },
        { optional: ['queuedAt', 'startedAt', 'endedAt', 'describe', 'error', 'overBudget', 'rollback', 'segments', 'retries'] },
      ),
    ),
    checks: arr(
      obj({
        group: str(),
        phase: str(
          'When in the run: before any change, before the drill, after the switch, after fail-back, before the fault, recovered...',
        ),
        name: str(),
        ok: bool(),
        detail: str(),
        durationMs: num(),
        at: iso(),
      }),
    ),
    budgetOverruns: arr(str()),
    budgets: obj({ switchMs: num(), steps: mapOf(num()), switchTookMs: num() }, { optional: ['switchMs', 'switchTookMs'] }),
    failures: arr(failureCause, 'Why the run failed, one entry per cause (empty: it succeeded)'),
    findings: arr(str(), 'Budget overruns not counted against the run'),
    interrupted: bool(),
    lost: arr(
      str(),
      "The data centers the run was told are lost (--lost, respond, a rehearsal's fault): its switch did not wait on members there",
    ),
    rehearsal: obj(
      {
        t0: iso(),
        fault: str(),
        injectedAt: iso(),
        detectedAt: iso(),
        detectedBy: str(),
        recoveredAt: iso(),
        restoredAt: iso(),
        restoreOk: bool(),
        outcome: oneOfConst(OUTCOMES),
        rto: nullable(obj({ totalMs: num(), detectionMs: num(), switchMs: num(), convergenceMs: num(), steps: mapOf(num()) })),
        budgetMs: num(),
        stepBudgetsMs: mapOf(num()),
        reasons: arr(str()),
        stopBreaches: arr(obj({ name: str(), detail: str(), at: iso() })),
        skippedReason: str(),
      },
      {
        optional: [
          't0',
          'fault',
          'injectedAt',
          'detectedAt',
          'detectedBy',
          'recoveredAt',
          'restoredAt',
          'restoreOk',
          'outcome',
          'budgetMs',
          'skippedReason',
        ],
      },
    ),
  },
  { optional: ['rehearsal'] },
);
