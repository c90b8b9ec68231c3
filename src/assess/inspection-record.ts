import type { AssessmentDocument } from '../model/assessment.js';
import {
  INSPECTION_SCHEMA_VERSION,
  type InspectionCheck,
  type InspectionFinding,
  type InspectionPlan,
  type InspectionRecord,
  type InspectionSafety,
} from '../model/inspection.js';
import type { Plan } from '../plan/types.js';

export interface InspectionInput {
  readonly id: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly host: string;
  readonly user: string;
  readonly checks: readonly InspectionCheck[];
  readonly plans: readonly Plan[];
  readonly savedPlans: InspectionRecord['savedPlans'];
  readonly assessment: AssessmentDocument;
  readonly coverage: InspectionRecord['coverage'];
  readonly safety: InspectionSafety;
  /** The previous inspection in this store, for drift. */
  readonly previous: InspectionRecord | undefined;
}

type Found = Omit<InspectionFinding, 'since'>;

/** Every finding of an inspection, with a key that stays the same while the problem does. */
function findingsOf(i: InspectionInput): Found[] {
  const out: Found[] = [];
  for (const c of i.checks) {
    if (!c.ok)
      out.push({
        key: `check|${c.runbook}|${c.group}|${c.name}`,
        what: 'check',
        runbook: c.runbook,
        message: `${c.runbook}: ${c.group === 'readiness' ? 'readiness' : 'steady-state'} check ${c.name} fails: ${c.detail}`,
      });
  }
  for (const p of i.plans) {
    for (const s of p.steps.filter((x) => x.action === 'unknown')) {
      out.push({
        key: `plan|${p.runbook.name}|${s.id}`,
        what: 'plan',
        runbook: p.runbook.name,
        message: `${p.runbook.name}: step ${s.id} ${s.describe}: ${s.error ?? ''}`,
      });
    }
  }
  for (const s of i.savedPlans) {
    if (!s.fresh)
      out.push({
        key: `stale-plan|${s.file}`,
        what: 'stale-plan',
        runbook: s.runbook,
        message: `saved plan ${s.file} (${s.runbook}) has gone stale: ${s.detail}`,
      });
  }
  const { lever, paused } = i.safety;
  if (lever?.engaged) {
    out.push({
      key: `lever|${lever.since}`,
      what: 'lever',
      message: `safety lever engaged by ${lever.by} since ${lever.since}: ${lever.reason} (rehearse and drill refuse to start; drctl lever release)`,
    });
  }
  for (const p of paused) {
    out.push({
      key: `paused|${p.runbook}|${p.runId}`,
      what: 'paused',
      runbook: p.runbook,
      message: `${p.runbook}: rehearsals paused after failed rehearsal ${p.runId} since ${p.since}${p.reasons.length > 0 ? ` (${p.reasons.join('; ')})` : ''} (drctl rehearse ${p.runbook} --ack ${p.runId})`,
    });
  }
  for (const f of i.assessment.findings) out.push({ key: f.key, what: f.what, scope: f.scope, runbook: f.runbook, message: f.message });
  return out;
}

export const planSummary = (p: Plan): InspectionPlan => ({
  runbook: p.runbook.name,
  counts: p.counts,
  unobservable: p.steps.filter((s) => s.action === 'unknown').map((s) => ({ step: s.id, error: s.error ?? s.describe })),
});

/** Pure: the inspection record, each finding dated from when it was first seen, and what changed since the previous one. */
export function buildInspection(i: InspectionInput): InspectionRecord {
  const before = new Map((i.previous?.findingList ?? []).map((f) => [f.key, f]));
  const found = findingsOf(i);
  const now = new Set(found.map((f) => f.key));
  const findingList: InspectionFinding[] = found.map((f) => ({ ...f, since: before.get(f.key)?.since ?? i.startedAt }));
  const appeared = found.filter((f) => !before.has(f.key)).map((f) => f.key);
  const resolved = [...before.values()].filter((f) => !now.has(f.key)).map((f) => ({ key: f.key, message: f.message, since: f.since }));
  return {
    schemaVersion: INSPECTION_SCHEMA_VERSION,
    kind: 'inspection',
    id: i.id,
    startedAt: i.startedAt,
    durationMs: i.durationMs,
    host: i.host,
    user: i.user,
    runbooks: i.plans.map((p) => p.runbook.name),
    findings: findingList.length,
    appeared: appeared.length,
    resolved: resolved.length,
    checks: i.checks,
    plans: i.plans.map(planSummary),
    savedPlans: i.savedPlans,
    assessment: i.assessment,
    coverage: i.coverage,
    safety: i.safety,
    findingList,
    drift: { previous: i.previous ? { id: i.previous.id, startedAt: i.previous.startedAt } : null, appeared, resolved },
  };
}
