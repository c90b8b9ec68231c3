import { anyMap, arr, bool, int, iso, nullable, num, obj, oneOfConst, str, type Schema } from './parts.js';

/**
 * The assessment (`drctl assess --json`'s result, `assess -o FILE`, and inside every inspection): which
 * failure scopes the estate survives now, with which plan, at what cost (model/assessment.ts).
 */
const residual = obj(
  {
    text: str(),
    risk: oneOfConst(
      ['data', 'failover', 'capacity', 'traffic'],
      'data: the next loss loses data; failover: no automatic failover left; capacity; traffic: one server left',
    ),
  },
  { description: 'What the estate is left with after the loss: a risk for the next failure' },
);
const headroom = obj({ pct: num('The smallest headroom of a surviving zone after the flip, %'), zone: str() });
const scopeClass = ['dc', 'city', 'pair', 'custom'] as const;

const step = obj(
  {
    runbook: str(),
    step: str(),
    kind: str(),
    category: oneOfConst(['database', 'cache', 'routing', 'lb', 'dns', 'other']),
    verdict: oneOfConst(['ok', 'fail', 'unknown']),
    reason: str('What decides the verdict'),
    dataLoss: obj({ amount: nullable(num('null: cannot be known now')), unit: oneOfConst(['bytes', 'transactions']), what: str() }),
    headroom,
    ttlSeconds: num('dns.record: how long clients may keep the old answer'),
    leaves: arr(residual),
  },
  { optional: ['dataLoss', 'headroom', 'ttlSeconds'], description: 'One step of the answering runbook, judged against the loss' },
);

const plan = obj({
  status: oneOfConst(['plan', 'none', 'ambiguous'], 'none: NO PLAN'),
  scenario: nullable(str()),
  match: nullable(oneOfConst(['exact', 'covering'])),
  scenarioLost: arr(str()),
  runbooks: arr(obj({ name: str(), file: str(), params: anyMap("The scenario's params") })),
  candidates: arr(str('ambiguous: the scenarios that tie')),
});

const rto = obj({
  runbook: str(),
  predictedMs: nullable(num()),
  detectionMs: nullable(num()),
  switchMs: nullable(num()),
  convergenceMs: nullable(num()),
  basedOn: int('Succeeded rehearsals the prediction is based on (0: never rehearsed)'),
  budgetMs: nullable(num()),
  withinBudget: nullable(bool()),
});

const rehearsal = obj({
  latestOutcome: nullable(oneOfConst(['SUCCEEDED', 'FAILED', 'INTERRUPTED'])),
  latestAt: nullable(iso()),
  lastSucceededAt: nullable(iso()),
  lastSucceededRunId: nullable(str()),
  ageDays: nullable(num('Days since the last succeeded rehearsal')),
});

export const ASSESSMENT_FINDINGS = ['no-plan', 'ambiguous', 'step', 'data-loss', 'over-budget', 'ttl', 'headroom'] as const;
const finding = obj(
  {
    key: str('Stable across runs: inspections track drift by it'),
    scope: str(),
    what: oneOfConst(ASSESSMENT_FINDINGS),
    message: str(),
    runbook: str(),
    step: str(),
  },
  { optional: ['runbook', 'step'] },
);

const scope = obj({
  id: str('"hz-a", "hz" (a city), "hz-a+sh-b"'),
  class: oneOfConst(scopeClass),
  label: str(),
  lost: arr(str()),
  plan,
  steps: arr(step),
  verdict: oneOfConst(['survivable', 'data-loss', 'not-survivable']),
  why: str(),
  dataLoss: nullable(obj({ bytes: num(), transactions: num(), unknown: bool() })),
  headroom: nullable(headroom),
  ttlSeconds: nullable(num()),
  rto: arr(rto),
  withinBudget: nullable(bool()),
  rehearsal,
  leaves: arr(residual),
  oneFailureFromDataLoss: bool(),
  score: { type: 'number', minimum: 0, maximum: 100 },
  findings: arr(finding),
});

export const assessmentResult: Schema = obj(
  {
    schemaVersion: { const: 1 },
    kind: { const: 'assessment' },
    generatedAt: iso(),
    durationMs: num(),
    topology: obj({ name: str(), file: str(), cities: arr(obj({ name: str(), dcs: arr(str()) })) }),
    catalog: obj({
      runbooks: arr(obj({ name: str(), file: str(), scenarios: arr(str()) })),
      scenarios: arr(obj({ name: str(), lost: arr(str()), runbooks: arr(str()) })),
    }),
    scopes: arr(scope),
    level: nullable(
      obj(
        { level: oneOfConst(['L0', 'L1', 'L2', 'L3']), name: str(), reason: str() },
        { description: 'Only when every scope class was assessed (not --scope, not an inspection)' },
      ),
    ),
    score: nullable(
      obj({
        value: { type: 'number', minimum: 0, maximum: 100 },
        byClass: obj({ dc: num(), city: num(), pair: num() }, { optional: ['dc', 'city', 'pair'] }),
      }),
    ),
    findings: arr(finding),
    options: obj({ minHeadroomPct: num(), freshDays: num() }),
  },
  {
    description:
      'drctl assess: which failure scopes the estate survives now, with which plan, at what cost; the level and the score (README: Assess)',
  },
);
