import { assessmentResult } from './assessment.js';
import { anyMap, arr, bool, int, iso, nullable, num, obj, oneOfConst, SCHEMA_DIALECT, str, type Schema } from './parts.js';
import { planResult } from './results.js';

/** The documents over the catalog of recovery plans: scenarios, inspect (with its record), respond --dry-run, lever. */

const answeredBy = arr(
  obj({ name: str(), file: str(), params: anyMap("The scenario's params for this runbook") }),
  'One runbook per part of the estate',
);

export const scenariosResult = obj({
  topology: obj({ name: str(), file: str() }),
  scenarios: arr(
    obj({
      name: str(),
      description: nullable(str()),
      lost: arr(str('The data centers lost (cities resolved)')),
      written: arr(str('As the runbook wrote them')),
      runbooks: answeredBy,
    }),
  ),
  runbooks: arr(obj({ name: str(), file: str(), scenarios: arr(str()) })),
  skipped: arr(obj({ file: str(), kind: str() }), 'Files of the paths that are not runbooks'),
});

/** The safety lever's record (model/safety.ts); `{ engaged: false }` alone: never engaged in this store. */
export const leverRecord = obj(
  {
    engaged: bool(),
    reason: str(),
    by: str('user@host'),
    since: iso('When it was engaged'),
    released: obj({ by: str(), at: iso() }),
  },
  { optional: ['reason', 'by', 'since', 'released'] },
);

export const pauseRecord = obj({
  runbook: str(),
  runId: str('The failed rehearsal: drctl rehearse RUNBOOK --ack RUN_ID'),
  since: iso(),
  reasons: arr(str()),
});

export const INSPECTION_FINDINGS = [
  'check',
  'plan',
  'stale-plan',
  'no-plan',
  'ambiguous',
  'step',
  'data-loss',
  'over-budget',
  'ttl',
  'headroom',
  'lever',
  'paused',
] as const;

export const inspectionResult: Schema = obj(
  {
    schemaVersion: { const: 1 },
    kind: { const: 'inspection' },
    id: str(),
    startedAt: iso(),
    durationMs: num(),
    host: str(),
    user: str(),
    runbooks: arr(str()),
    findings: int(),
    appeared: int('Findings not there at the previous inspection'),
    resolved: int(),
    checks: arr(obj({ runbook: str(), group: oneOfConst(['readiness', 'steadyState']), name: str(), ok: bool(), detail: str() })),
    plans: arr(
      obj({
        runbook: str(),
        counts: { type: 'object', additionalProperties: { type: 'integer' } },
        unobservable: arr(obj({ step: str(), error: str() })),
      }),
    ),
    savedPlans: arr(obj({ file: str(), runbook: str(), fresh: bool(), detail: str() })),
    assessment: assessmentResult,
    coverage: obj({ expected: arr(str()), covered: arr(str()) }),
    safety: obj(
      { lever: nullable(leverRecord), paused: arr(pauseRecord, "The catalog's runbooks paused after a failed rehearsal") },
      { description: 'Absent in inspections recorded before drctl looked at the lever' },
    ),
    findingList: arr(
      obj(
        {
          key: str('Stable across inspections: drift is tracked by it'),
          what: oneOfConst(INSPECTION_FINDINGS),
          message: str(),
          runbook: str(),
          scope: str(),
          since: iso('When it was first seen, in an unbroken run of inspections'),
        },
        { optional: ['runbook', 'scope'] },
      ),
    ),
    drift: obj({
      previous: nullable(obj({ id: str(), startedAt: iso() })),
      appeared: arr(str()),
      resolved: arr(obj({ key: str(), message: str(), since: iso() })),
    }),
  },
  { optional: ['safety'], description: 'drctl inspect: an inspection as recorded in the state store (drctl report ID renders it)' },
);

export const respondResult = obj({
  lost: arr(str()),
  scenario: obj({ name: str(), description: nullable(str()), lost: arr(str()), runbooks: answeredBy }),
  plans: arr(
    obj(
      {
        runbook: str(),
        file: str(),
        params: anyMap("The scenario's params"),
        code: int("This plan's exit code: 0 nothing to change, 2 changes, 1 a step cannot be observed"),
        plan: planResult,
      },
      { optional: ['plan'] },
    ),
  ),
});

/** A record kept as a file of its own (runbooks/schema/NAME.schema.json): what assess -o and the store hold, not enveloped. */
export const recordSchema = (id: string, title: string, result: Schema): Schema => ({
  $schema: SCHEMA_DIALECT,
  $id: `https://drctl.dev/schema/${id}.json`,
  title,
  ...result,
});
