import { any, anyMap, arr, bool, int, iso, mapOf, nullable, num, obj, oneOfConst, runbookRef, runMeta, str, STEP_STATUSES, RUN_MODES, RUN_STATUSES, OUTCOMES } from './parts.js';

const PLAN_ACTIONS = ['change', 'noop', 'unknown', 'gate'] as const;

/** `plan --json`'s result; also what `plan -o FILE` saves (without the envelope) and `run|drill --dry-run --json` print. */
export const planResult = obj({
  schemaVersion: int(), runbook: runbookRef, createdAt: iso(),
  steps: arr(obj({
    id: str(), kind: str(), needs: arr(str()), action: oneOfConst(PLAN_ACTIONS, '+ change, = noop (already done), ? unknown (could not observe), ! gate'),
    describe: str(), reason: str(), before: any('The observed state (kind-specific)'), desired: any('The desired state (kind-specific; may name only what changes)'),
    error: str(), observeMs: num(), predictedMs: num(), budgetMs: num(), paramsHash: str(),
  }, { optional: ['reason', 'before', 'desired', 'error', 'predictedMs', 'budgetMs', 'paramsHash'] })),
  layers: arr(arr(str())), criticalPath: obj({ steps: arr(str()), predictedMs: num() }, { optional: ['predictedMs'] }),
  predictedMs: num(), budgetMs: num(), counts: obj({ change: int(), noop: int(), unknown: int(), gate: int() }),
  params: anyMap('The resolved params (secrets as ***)'), fingerprint: str(), historyRuns: int(),
}, { optional: ['predictedMs', 'budgetMs'] });

export const validateResult = obj({
  files: arr(obj({ file: str(), kind: oneOfConst(['Runbook', 'Topology']), valid: bool(), steps: int(), zones: int() }, { optional: ['steps', 'zones'] })),
});

const stepLine = obj({ id: str(), status: str('A step status, or cut-off (started, no outcome, no controller)') });
export const statusResult = obj({
  runs: arr(obj({
    runId: str(), runbook: str(), mode: oneOfConst(RUN_MODES), startedAt: iso(), holder: str(),
    lock: nullable(obj({ scope: str(), expiresAt: iso(), token: int(), stale: bool() })), orphaned: bool(),
    needsRollback: bool('An orphaned rehearsal: undo it with drctl rollback (a rehearsal is never resumed)'),
    faultLeft: nullable(str('The fault a dead rehearsal left in place')), steps: arr(stepLine),
    rollbackIncomplete: obj({
      at: iso(), failed: anyMap('Step id → why its undo failed'), notReached: arr(str()), unknown: arr(str()),
    }, { description: 'Set on a run whose last drctl rollback did not get everything back: what is left (drctl rollback retries it)' }),
    takenOverBy: str('A run still recorded as running whose lock another run took over (it was fenced out): that run'),
  }, { optional: ['rollbackIncomplete', 'takenOverBy'] })),
  resumable: arr(obj({ runId: str(), runbook: str(), mode: oneOfConst(RUN_MODES), startedAt: iso(), endedAt: nullable(iso()), holder: str(), steps: arr(stepLine) })),
  locks: arr(obj({ scope: str(), holder: anyMap('runId, mode, user, host, hostId, pid, since, expiresAt, token'), stale: bool(), why: str() }, { optional: ['why'] })),
});

const regression = obj({ regressed: bool(), runId: str(), latestMs: nullable(num()), medianOfEarlierMs: nullable(num()), percentAbove: nullable(num()), thresholdPct: num() });
export const historyResult = obj({
  runs: arr(obj({
    runId: str(), runbook: str(), mode: oneOfConst(RUN_MODES), status: oneOfConst(RUN_STATUSES), startedAt: iso(), durationMs: nullable(num()),
    takenOverBy: str('Recorded as running, but another run took over its lock (fenced out): that run'),
    outcome: nullable(oneOfConst(OUTCOMES)), rtoMs: nullable(num()), budgetMs: nullable(num()), criticalPath: arr(str()), budgetExceeded: arr(str()),
  }, { optional: ['takenOverBy'] })),
  trends: arr(obj({
    runbook: str(), rehearsals: int(), minMs: num(), maxMs: num(), medianMs: num(), last: anyMap('The latest point'),
    points: arr(obj({ runId: str(), startedAt: iso(), rtoMs: num(), outcome: nullable(oneOfConst(OUTCOMES)) })), regression,
  })),
  regression: obj({ regressed: bool(), thresholdPct: num(), runbooks: arr({ type: 'object' }) }),
  // drctl inspect's inspections, newest first (drctl report ID renders one)
  inspections: arr(obj({ id: str(), startedAt: iso(), durationMs: num(), findings: int(), appeared: int(), resolved: int(), runbooks: arr(str()) })),
}, { optional: ['inspections'] });

const segment = obj({ phase: oneOfConst(['observe', 'apply', 'verify', 'rollback']), startAt: iso(), endAt: iso(), ok: bool(), attempt: int() });
const failureCause = obj({
  type: oneOfConst(['observe', 'apply', 'verify', 'rollback', 'budget', 'check', 'stop', 'fail-back', 'interrupted', 'run']),
  subject: str('A step id, a check "group name (phase)", a budget ("switch", "step ID"), a stop condition'), message: str(),
});
/** `report RUN_ID --json` (= --format json)'s result: the report every format renders. */
export const reportResult = obj({
  schemaVersion: int(), run: runMeta,
  steps: arr(obj({
    id: str(), kind: str(), status: oneOfConst(STEP_STATUSES), queuedAt: iso(), startedAt: iso(), endedAt: iso(), durationMs: num(),
    phases: mapOf(num()), attempts: int(), describe: str(), error: obj({ message: str(), phase: str(), retryable: bool(), timedOut: bool(), unchanged: bool() }, { optional: ['timedOut', 'unchanged'] }),
    overBudget: obj({ budgetMs: num(), message: str(), counted: bool('Counted against the run (else a finding)') }),
    notes: anyMap('Kind-specific notes: lag, election time, TTL...'),
    rollback: obj({ status: oneOfConst(['rolled-back', 'already-as-before', 'failed']), durationMs: num(), message: str(), endedAt: iso() }, { optional: ['endedAt'] }),
    segments: arr(segment), retries: arr(obj({ at: iso(), attempt: int(), delayMs: num(), message: str() })),
  }, { optional: ['queuedAt', 'startedAt', 'endedAt', 'describe', 'error', 'overBudget', 'rollback', 'segments', 'retries'] })),
  checks: arr(obj({ group: str(), phase: str('When in the run: before any change, before the drill, after the switch, after fail-back, before the fault, recovered...'), name: str(), ok: bool(), detail: str(), durationMs: num(), at: iso() })),
  budgetOverruns: arr(str()),
  budgets: obj({ switchMs: num(), steps: mapOf(num()), switchTookMs: num() }, { optional: ['switchMs', 'switchTookMs'] }),
  failures: arr(failureCause, 'Why the run failed, one entry per cause (empty: it succeeded)'),
  findings: arr(str(), 'Budget overruns not counted against the run'),
  interrupted: bool(),
  rehearsal: obj({
    t0: iso(), fault: str(), injectedAt: iso(), detectedAt: iso(), detectedBy: str(), recoveredAt: iso(), restoredAt: iso(), restoreOk: bool(),
    outcome: oneOfConst(OUTCOMES), rto: nullable(obj({ totalMs: num(), detectionMs: num(), switchMs: num(), convergenceMs: num(), steps: mapOf(num()) })),
    budgetMs: num(), stepBudgetsMs: mapOf(num()), reasons: arr(str()), stopBreaches: arr(obj({ name: str(), detail: str(), at: iso() })), skippedReason: str(),
  }, { optional: ['t0', 'fault', 'injectedAt', 'detectedAt', 'detectedBy', 'recoveredAt', 'restoredAt', 'restoreOk', 'outcome', 'budgetMs', 'skippedReason'] }),
}, { optional: ['rehearsal'] });

export const kindsResult = obj({ kinds: arr(obj({ name: str(), description: str(), reversible: bool(), outputs: arr(str()) })) });
export const explainResult = obj({ name: str(), description: str(), reversible: bool(), outputs: arr(str()), params: anyMap('The kind\'s params JSON Schema (what `with:` takes)') });

const probeResult = obj({ name: str(), ok: bool(), detail: str() });
export const rehearsePreviewResult = obj({
  runbook: str(), schedule: anyMap('The schedule verdict: allowed, and why not'), readiness: arr(probeResult), steadyState: arr(probeResult), stopConditions: arr(probeResult),
  fault: obj({ kind: str(), describe: str(), ready: bool() }), plan: planResult, predictedRto: anyMap('Medians of earlier succeeded rehearsals'), budgetMs: num(),
}, { optional: ['predictedRto', 'budgetMs'] });

export const unlockResult = obj({ scope: str(), removed: nullable(anyMap('The holder that was removed')), by: str() }, { optional: ['by'] });
export const labResult = anyMap('lab up: the lab\'s state; lab down: { stopped }; lab status: the servers and whether each runs');
export const rulesResult = anyMap('rules show: the map per zone and data center; route: shard, zone, data center; diff: moves; flip/rollback/init/unfence: what changed');

/** `schema --list --json`: the published schemas. */
export const schemaListResult = obj({ schemas: arr(obj({ name: str(), file: str('Path in the repository'), describes: str() })) });
