import { describe, expect, test } from 'vitest';
import { estateLevel, estateScore, freshness, scopeScore, type ScopeFacts } from '../../../src/assess/level-score.js';
import type { ScopeAssessment, ScopeClass } from '../../../src/model/assessment.js';

const never = { latestOutcome: null, latestAt: null, lastSucceededAt: null, lastSucceededRunId: null, ageDays: null };
const rehearsed = (ageDays: number, latest: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED') => ({ ...never, latestOutcome: latest, ageDays });

function scope(id: string, cls: ScopeClass, o: Partial<ScopeFacts> = {}): ScopeAssessment {
  const facts: ScopeFacts = {
    id,
    class: cls,
    label: id,
    lost: [id],
    steps: [],
    verdict: 'survivable',
    why: '',
    dataLoss: null,
    headroom: null,
    ttlSeconds: null,
    rto: [],
    withinBudget: null,
    rehearsal: never,
    leaves: [],
    oneFailureFromDataLoss: false,
    findings: [],
    plan: { status: 'plan', scenario: 's', match: 'exact', scenarioLost: [id], runbooks: [], candidates: [] },
    ...o,
  };
  return { ...facts, score: scopeScore(facts) };
}
const noPlan = { status: 'none' as const, scenario: null, match: null, scenarioLost: [], runbooks: [], candidates: [] };

describe('the score', () => {
  test('freshness: 1 within 30 days, 0.75 halving every 30 days after, 0.5 when the latest failed, 0 never', () => {
    expect(freshness(rehearsed(3))).toBe(1);
    expect(freshness(rehearsed(30))).toBe(1);
    expect(freshness(rehearsed(60))).toBeCloseTo(0.375);
    expect(freshness(rehearsed(1, 'FAILED'))).toBe(0.5);
    expect(freshness(never)).toBe(0);
  });

  test('a scope: 0 without a plan or when it would not survive; else 40 × capability + 60 × freshness', () => {
    expect(scope('a', 'dc', { plan: noPlan }).score).toBe(0);
    expect(scope('a', 'dc', { verdict: 'not-survivable', rehearsal: rehearsed(1) }).score).toBe(0);
    expect(scope('a', 'dc').score).toBe(40);
    expect(scope('a', 'dc', { rehearsal: rehearsed(1) }).score).toBe(100);
    expect(scope('a', 'dc', { verdict: 'data-loss', rehearsal: rehearsed(1) }).score).toBe(80);
    expect(scope('a', 'dc', { withinBudget: false, rehearsal: rehearsed(1, 'FAILED') }).score).toBe(50);
  });

  test("the estate: the mean of the scope classes' means (a class of many pairs weighs no more than the data centers)", () => {
    const s = estateScore([
      scope('a', 'dc', { rehearsal: rehearsed(1) }),
      scope('b', 'dc'),
      scope('c', 'city'),
      scope('p', 'pair', { plan: noPlan }),
      scope('q', 'pair', { plan: noPlan }),
    ]);
    expect(s).toEqual({ value: 37, byClass: { dc: 70, city: 40, pair: 0 } });
  });
});

describe('the level', () => {
  test('L0 when a data center is not survived (named), L1 every DC, L2 every city too, L3 every cross-city pair too', () => {
    const dcs = [scope('hz-a', 'dc'), scope('sz-a', 'dc', { plan: noPlan, verdict: 'not-survivable' })];
    expect(estateLevel(dcs)).toEqual({
      level: 'L0',
      name: 'survives no whole class of failure',
      reason: 'not surviving the loss of any one data center: sz-a (NO PLAN)',
    });
    const l1 = [scope('hz-a', 'dc'), scope('hz', 'city', { verdict: 'data-loss' })];
    expect(estateLevel(l1)).toMatchObject({ level: 'L1', reason: 'not surviving the loss of any one city: hz (data-loss)' });
    expect(estateLevel([scope('hz-a', 'dc'), scope('hz', 'city'), scope('p', 'pair', { withinBudget: false })])).toMatchObject({
      level: 'L2',
    });
    expect(estateLevel([scope('hz-a', 'dc'), scope('hz', 'city'), scope('p', 'pair')])).toMatchObject({ level: 'L3' });
  });

  test('a step that cannot be judged does not count as survived', () => {
    const unjudged = scope('hz-a', 'dc', {
      steps: [{ runbook: 'r', step: 'x', kind: 'exec', category: 'other', verdict: 'unknown', reason: '?', leaves: [] }],
    });
    expect(estateLevel([unjudged]).level).toBe('L0');
  });
});
