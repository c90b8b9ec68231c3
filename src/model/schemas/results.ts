import {
  any,
  anyMap,
  arr,
  bool,
  int,
  iso,
  nullable,
  num,
  obj,
  oneOfConst,
  runbookRef,
  str,
  RUN_MODES,
  RUN_STATUSES,
  OUTCOMES,
} from './parts.js';

const PLAN_ACTIONS = ['change', 'noop', 'unknown', 'gate'] as const;

/** `plan --json`'s result; also what `plan -o FILE` saves (without the envelope) and `run|drill --dry-run --json` print. */
export const planResult = obj(
  {
    schemaVersion: int(),
    runbook: runbookRef,
    createdAt: iso(),
    steps: arr(
      obj(
        {
          id: str(),
          kind: str(),
          needs: arr(str()),
          action: oneOfConst(PLAN_ACTIONS, '+ change, = noop (already done), ? unknown (could not observe), ! gate'),
          describe: str(),
          reason: str(),
          before: any('The observed state (kind-specific)'),
          desired: any('The desired state (kind-specific; may name only what changes)'),
          error: str(),
          observeMs: num(),
          predictedMs: num(),
          budgetMs: num(),
          paramsHash: str(),
        },
        { optional: ['reason', 'before', 'desired', 'error', 'predictedMs', 'budgetMs', 'paramsHash'] },
      ),
    ),
    layers: arr(arr(str())),
    criticalPath: obj({ steps: arr(str()), predictedMs: num() }, { optional: ['predictedMs'] }),
    predictedMs: num(),
    budgetMs: num(),
    counts: obj({ change: int(), noop: int(), unknown: int(), gate: int() }),
    params: anyMap('The resolved params (secrets as ***)'),
    fingerprint: str(),
    historyRuns: int(),
    lost: arr(str()),
  },
  { optional: ['predictedMs', 'budgetMs', 'lost'] },
);

export const validateResult = obj({
  files: arr(
    obj(
      { file: str(), kind: oneOfConst(['Runbook', 'Topology']), valid: bool(), steps: int(), zones: int() },
      { optional: ['steps', 'zones'] },
    ),
  ),
});

const stepLine = obj({ id: str(), status: str('A step status, or cut-off (started, no outcome, no controller)') });
export const statusResult = obj({
  runs: arr(
    obj(
      {
        runId: str(),
        runbook: str(),
        mode: oneOfConst(RUN_MODES),
        startedAt: iso(),
        holder: str(),
        lock: nullable(obj({ scope: str(), expiresAt: iso(), token: int(), stale: bool() })),
        orphaned: bool(),
        needsRollback: bool('An orphaned rehearsal: undo it with drctl rollback (a rehearsal is never resumed)'),
        faultLeft: nullable(str('The fault a dead rehearsal left in place')),
        steps: arr(stepLine),
        rollbackIncomplete: obj(
          {
            at: iso(),
            failed: anyMap('Step id → why its undo failed'),
            notReached: arr(str()),
            unknown: arr(str()),
          },
          { description: 'Set on a run whose last drctl rollback did not get everything back: what is left (drctl rollback retries it)' },
        ),
        takenOverBy: str('A run still recorded as running whose lock another run took over (it was fenced out): that run'),
      },
      { optional: ['rollbackIncomplete', 'takenOverBy'] },
    ),
  ),
  resumable: arr(
    obj({
      runId: str(),
      runbook: str(),
      mode: oneOfConst(RUN_MODES),
      startedAt: iso(),
      endedAt: nullable(iso()),
      holder: str(),
      steps: arr(stepLine),
    }),
  ),
  locks: arr(
    obj(
      { scope: str(), holder: anyMap('runId, mode, user, host, hostId, pid, since, expiresAt, token'), stale: bool(), why: str() },
      { optional: ['why'] },
    ),
  ),
});

const regression = obj({
  regressed: bool(),
  runId: str(),
  latestMs: nullable(num()),
  medianOfEarlierMs: nullable(num()),
  percentAbove: nullable(num()),
  thresholdPct: num(),
});
export const historyResult = obj(
  {
    runs: arr(
      obj(
        {
          runId: str(),
          runbook: str(),
          mode: oneOfConst(RUN_MODES),
          status: oneOfConst(RUN_STATUSES),
          startedAt: iso(),
          durationMs: nullable(num()),
          takenOverBy: str('Recorded as running, but another run took over its lock (fenced out): that run'),
          outcome: nullable(oneOfConst(OUTCOMES)),
          rtoMs: nullable(num()),
          budgetMs: nullable(num()),
          criticalPath: arr(str()),
          budgetExceeded: arr(str()),
        },
        { optional: ['takenOverBy'] },
      ),
    ),
    trends: arr(
      obj({
        runbook: str(),
        rehearsals: int(),
        minMs: num(),
        maxMs: num(),
        medianMs: num(),
        last: anyMap('The latest point'),
        points: arr(obj({ runId: str(), startedAt: iso(), rtoMs: num(), outcome: nullable(oneOfConst(OUTCOMES)) })),
        regression,
      }),
    ),
    regression: obj({ regressed: bool(), thresholdPct: num(), runbooks: arr({ type: 'object' }) }),
    // drctl inspect's inspections, newest first (drctl report ID renders one)
    inspections: arr(
      obj({ id: str(), startedAt: iso(), durationMs: num(), findings: int(), appeared: int(), resolved: int(), runbooks: arr(str()) }),
    ),
  },
  { optional: ['inspections'] },
);

export const kindsResult = obj({ kinds: arr(obj({ name: str(), description: str(), reversible: bool(), outputs: arr(str()) })) });
export const explainResult = obj({
  name: str(),
  description: str(),
  reversible: bool(),
  outputs: arr(str()),
  params: anyMap("The kind's params JSON Schema (what `with:` takes)"),
});

const probeResult = obj({ name: str(), ok: bool(), detail: str() });
export const rehearsePreviewResult = obj(
  {
    runbook: str(),
    schedule: anyMap('The schedule verdict: allowed, and why not'),
    readiness: arr(probeResult),
    steadyState: arr(probeResult),
    stopConditions: arr(probeResult),
    fault: obj({ kind: str(), describe: str(), ready: bool() }),
    plan: planResult,
    lost: arr(str()),
    predictedRto: anyMap('Medians of earlier succeeded rehearsals'),
    budgetMs: num(),
  },
  { optional: ['predictedRto', 'budgetMs', 'lost'] },
);

export const unlockResult = obj(
  { scope: str(), removed: nullable(anyMap('The holder that was removed')), by: str() },
  { optional: ['by'] },
);
export const labResult = anyMap("lab up: the lab's state; lab down: { stopped }; lab status: the servers and whether each runs");
export const rulesResult = anyMap(
  'rules show: the map per zone and data center; route: shard, zone, data center; diff: moves; flip/rollback/init/unfence: what changed',
);

/** `schema --list --json`: the published schemas. */
export const schemaListResult = obj({ schemas: arr(obj({ name: str(), file: str('Path in the repository'), describes: str() })) });
