import { assessFail, assessOk, assessUnknown, listText, placed, type StepAssessment } from '../../model/assess.js';
import type { DnsRecordParams, DnsRecordState } from './params.js';

/**
 * dns.record what-if: the server that takes the update must be outside the lost data centers and answer
 * now; so must every server verify asks (the step waits for each). The TTL clients may keep the old answer
 * for is reported (assess weighs it against the runbook's budget).
 */
export function assessRecord(p: DnsRecordParams, s: DnsRecordState, lost: readonly string[]): StepAssessment {
  const dcOf = (server: string): string | undefined => p.dcs?.[server];
  const update = p.server ?? p.servers?.[0] ?? '';
  const verify = p.servers ?? [update];
  const ttl = s.values.length > 0 ? s.ttl : s.negativeTtl;
  const extra = ttl === undefined ? {} : { ttlSeconds: ttl };
  const gone = [...new Set([update, ...verify])].filter((x) => lost.includes(dcOf(x) ?? ''));
  if (gone.length > 0) {
    const role = (x: string): string => (x === update ? 'takes the update' : 'must confirm it');
    return assessFail(`${gone.map((x) => `${placed(x, dcOf(x))}, which ${role(x)}, is lost`).join('; ')}`, extra);
  }
  const silent = [...new Set([update, ...verify])].filter((x) => s.servers[x]?.error !== undefined);
  if (silent.length > 0)
    return assessFail(`${silent.map((x) => `${placed(x, dcOf(x))} does not answer now (${s.servers[x]?.error ?? ''})`).join('; ')}`, extra);
  const unplaced = [...new Set([update, ...verify])].filter((x) => dcOf(x) === undefined);
  const keep = ttl === undefined ? '' : `; clients may keep the old answer ${ttl}s`;
  if (unplaced.length > 0 && lost.length > 0)
    return assessUnknown(`${listText(unplaced)}: data center unknown (give the step dcs: {server: data center})${keep}`, extra);
  return assessOk(`${placed(update, dcOf(update))} answers and takes the update${keep}`, extra);
}
