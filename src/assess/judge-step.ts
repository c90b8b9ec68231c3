import type { AssessedStep, CheckCategory } from '../model/assessment.js';
import type { StepAssessment } from '../model/assess.js';
import type { AnyKind } from '../model/kind.js';
import type { Observation } from '../plan/observe-all.js';
import type { StepSpec } from '../runbook/types.js';
import { messageOf } from '../util/errors.js';

const CATEGORY: Readonly<Record<string, CheckCategory>> = {
  'db.primary': 'database',
  'mysql.primary': 'database',
  'redis.failover': 'cache',
  'rules.flip': 'routing',
  'haproxy.servers': 'lb',
  'nginx.upstream': 'lb',
  'dns.record': 'dns',
};

/** The heat map's column of a kind. */
export const categoryOf = (kind: string): CheckCategory => CATEGORY[kind] ?? 'other';

/** Fault kinds inject faults for rehearsals: a step of such a kind is not part of what survives a loss. */
export const isAssessed = (step: StepSpec): boolean => !step.kind.startsWith('fault.');

/**
 * One step against one loss: a data center it needs (`dc:`) being lost fails it; a step that cannot be
 * observed now fails; otherwise its kind's assess decides, or without one, `dc:` (ok when not lost) or
 * unknown. A wait of a fixed duration and a gate (an approval) need nothing.
 */
export function judgeStep(
  runbook: string,
  step: StepSpec,
  kind: AnyKind | undefined,
  obs: Observation | undefined,
  lost: readonly string[],
): AssessedStep {
  const base = { runbook, step: step.id, kind: step.kind, category: categoryOf(step.kind) };
  const done = (a: StepAssessment): AssessedStep => ({ ...base, ...a, leaves: a.leaves ?? [] });
  const needs = step.dcs ?? [];
  const lostNeeds = needs.filter((d) => lost.includes(d));
  if (lostNeeds.length > 0) return done({ verdict: 'fail', reason: `needs ${lostNeeds.join(', ')} (dc:), lost` });
  if (!obs || obs.error !== undefined) return done({ verdict: 'fail', reason: `cannot be observed now: ${obs?.error ?? 'not observed'}` });
  if (kind?.assess) {
    try {
      return done(kind.assess(obs.params, obs.state, lost));
    } catch (e) {
      return done({ verdict: 'unknown', reason: `its assess failed: ${messageOf(e)}` });
    }
  }
  if (needs.length > 0) return done({ verdict: 'ok', reason: `needs ${needs.join(', ')} (dc:), not lost` });
  const w = (obs.params ?? {}) as { duration?: unknown; until?: unknown };
  if (step.kind === 'wait' && w.until === undefined) return done({ verdict: 'ok', reason: 'a fixed pause' });
  if (step.kind === 'gate') return done({ verdict: 'ok', reason: 'asks for an approval (respond/run --approve)' });
  return done({ verdict: 'unknown', reason: `kind ${step.kind} has no what-if: declare the data center the step needs (dc:)` });
}
