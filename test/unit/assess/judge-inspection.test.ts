import { describe, expect, test } from 'vitest';
import { buildInspection, type InspectionInput } from '../../../src/assess/inspection-record.js';
import { judgeStep } from '../../../src/assess/judge-step.js';
import type { AssessmentDocument } from '../../../src/model/assessment.js';
import type { AnyKind } from '../../../src/model/kind.js';
import type { StepSpec } from '../../../src/runbook/types.js';

const step = (kind: string, dcs: string[] = [], id = 's'): StepSpec => ({
  id,
  kind,
  description: undefined,
  needs: [],
  with: {},
  timeoutMs: 1000,
  retry: { retries: 0, backoffMs: 0, backoffFactor: 2, maxBackoffMs: 0 },
  budgetMs: undefined,
  verifyIntervalMs: undefined,
  index: 0,
  dcs,
});
const obs = (params: unknown = {}, error?: string) => ({ stepId: 's', params, state: {}, error, durationMs: 1 });
const withAssess = { assess: () => ({ verdict: 'ok', reason: 'fine' }) } as unknown as AnyKind;

describe('judging one step against a loss', () => {
  test('a data center it needs (dc:) being lost fails it, whatever its kind says', () => {
    expect(judgeStep('r', step('dns.record', ['sz-a']), withAssess, obs(), ['sz-a'])).toMatchObject({
      verdict: 'fail',
      reason: 'needs sz-a (dc:), lost',
      category: 'dns',
    });
  });

  test("a step that cannot be observed now fails; otherwise its kind's assess decides", () => {
    expect(judgeStep('r', step('db.primary'), withAssess, obs({}, 'no member answers'), ['hz-a'])).toMatchObject({
      verdict: 'fail',
      reason: 'cannot be observed now: no member answers',
    });
    expect(judgeStep('r', step('db.primary'), withAssess, obs(), ['hz-a'])).toMatchObject({
      verdict: 'ok',
      reason: 'fine',
      category: 'database',
    });
  });

  test('exec/http/plug-ins without assess: unknown, unless the step declares the data center it needs', () => {
    expect(judgeStep('r', step('exec'), {} as AnyKind, obs(), ['hz-a'])).toMatchObject({
      verdict: 'unknown',
      reason: 'kind exec has no what-if: declare the data center the step needs (dc:)',
    });
    expect(judgeStep('r', step('exec', ['sz-a']), {} as AnyKind, obs(), ['hz-a'])).toMatchObject({
      verdict: 'ok',
      reason: 'needs sz-a (dc:), not lost',
    });
    expect(judgeStep('r', step('wait'), {} as AnyKind, obs({ duration: '5s' }), ['hz-a'])).toMatchObject({
      verdict: 'ok',
      reason: 'a fixed pause',
    });
  });
});

const doc = (findings: { key: string; message: string }[]): AssessmentDocument => ({
  schemaVersion: 1,
  kind: 'assessment',
  generatedAt: '',
  durationMs: 1,
  topology: { name: 't', file: 'f', cities: [] },
  catalog: { runbooks: [], scenarios: [] },
  scopes: [],
  level: null,
  score: null,
  options: { minHeadroomPct: 10, freshDays: 30 },
  findings: findings.map((f) => ({ ...f, scope: f.key.split('|')[0] ?? '', what: 'step' })),
});
const input = (
  startedAt: string,
  findings: { key: string; message: string }[],
  previous?: ReturnType<typeof buildInspection>,
  safety: InspectionInput['safety'] = { lever: null, paused: [] },
): InspectionInput => ({
  id: `id-${startedAt}`,
  startedAt,
  durationMs: 1,
  host: 'h',
  user: 'u',
  checks: [],
  plans: [],
  savedPlans: [],
  assessment: doc(findings),
  coverage: { expected: [], covered: [] },
  previous,
  safety,
});

describe("an inspection's drift", () => {
  test('a finding keeps the time it was first seen while it lasts; new ones appear, gone ones are resolved', () => {
    const first = buildInspection(input('02:00', [{ key: 'hz-b|cache-b', message: 'cache-b: no replica in sh-b' }]));
    expect(first).toMatchObject({ findings: 1, appeared: 1, resolved: 0, drift: { previous: null, appeared: ['hz-b|cache-b'] } });
    const second = buildInspection(
      input(
        '03:00',
        [
          { key: 'hz-b|cache-b', message: 'cache-b: no replica in sh-b (still)' },
          { key: 'hz|dns', message: 'TTL' },
        ],
        first,
      ),
    );
    expect(second.findingList).toEqual([
      { key: 'hz-b|cache-b', what: 'step', scope: 'hz-b', message: 'cache-b: no replica in sh-b (still)', since: '02:00' },
      { key: 'hz|dns', what: 'step', scope: 'hz', message: 'TTL', since: '03:00' },
    ]);
    expect(second.drift).toEqual({ previous: { id: 'id-02:00', startedAt: '02:00' }, appeared: ['hz|dns'], resolved: [] });
    const third = buildInspection(input('04:00', [], second));
    expect(third).toMatchObject({ findings: 0, appeared: 0, resolved: 2 });
    expect(third.drift.resolved).toEqual([
      { key: 'hz-b|cache-b', message: 'cache-b: no replica in sh-b (still)', since: '02:00' },
      { key: 'hz|dns', message: 'TTL', since: '03:00' },
    ]);
  });
});

describe('an inspection and the safety controls', () => {
  const lever = { engaged: true, reason: 'storage maintenance', by: 'ops@h', since: '01:00' };
  const pause = { runbook: 'city-cut', runId: 'R1', since: '01:30', reasons: ['stop condition breached'] };
  test('an engaged lever and each paused runbook are findings, kept by key while they last; a released lever is none', () => {
    const first = buildInspection(input('02:00', [], undefined, { lever, paused: [pause] }));
    expect(first.findingList).toEqual([
      {
        key: 'lever|01:00',
        what: 'lever',
        message: 'safety lever engaged by ops@h since 01:00: storage maintenance (rehearse and drill refuse to start; drctl lever release)',
        since: '02:00',
      },
      {
        key: 'paused|city-cut|R1',
        what: 'paused',
        runbook: 'city-cut',
        message:
          'city-cut: rehearsals paused after failed rehearsal R1 since 01:30 (stop condition breached) (drctl rehearse city-cut --ack R1)',
        since: '02:00',
      },
    ]);
    expect(first.safety).toEqual({ lever, paused: [pause] });
    const second = buildInspection(input('03:00', [], first, { lever: { ...lever, engaged: false }, paused: [pause] }));
    expect(second).toMatchObject({ findings: 1, appeared: 0, resolved: 1, drift: { resolved: [{ key: 'lever|01:00' }] } });
    expect(second.findingList[0]).toMatchObject({ key: 'paused|city-cut|R1', since: '02:00' });
  });
});
