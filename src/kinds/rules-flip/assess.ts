import { assessFail, assessOk, listText, type StepAssessment } from '../../model/assess.js';
import { renderRanges } from '../../rules/ranges.js';
import { decodeMap } from '../../rules/shard-map.js';
import type { RulesFlipParams } from './params.js';
import type { RulesFlipState } from './observe.js';

/**
 * rules.flip what-if: after the flip the step would publish (its cut on top of what the rules already
 * record as cut), no shard may stay with a zone in a lost data center, and every surviving zone's load
 * is weighed against its capacity: the smallest headroom (%) is reported.
 */
export function assessRules(p: RulesFlipParams, s: RulesFlipState, lost: readonly string[]): StepAssessment {
  if (s.version === 0 || s.map === null) return assessFail(s.refusal ?? 'the rules store holds no rules');
  if (s.refusal !== null || s.target === null) return assessFail(`the flip would be refused: ${s.refusal ?? 'no map to publish'}`);
  const map = decodeMap(s.target);
  const shardCount = map.owners.length;
  const byZone = new Map<string, number[]>();
  map.owners.forEach((zone, shard) => byZone.set(zone, [...(byZone.get(zone) ?? []), shard]));
  const what = p.home === true ? 'the fail-back home' : `the flip (cut ${listText([...new Set([...s.recordedCut, ...s.cut])])})`;
  const stranded = [...byZone].filter(([zone]) => lost.includes(s.dcOf[zone] ?? ''));
  if (stranded.length > 0) {
    const list = stranded.map(([zone, shards]) => `shards ${renderRanges(shards, shardCount)} with ${zone} (${s.dcOf[zone] ?? '?'})`);
    return assessFail(
      `after ${what}, ${list.join('; ')} would have no surviving owner: ${listText(stranded.map(([z]) => s.dcOf[z] ?? z))} lost`,
    );
  }
  let low: { pct: number; zone: string; load: number; cap: number } | undefined;
  for (const [zone, cap] of Object.entries(s.capacity ?? {})) {
    if (lost.includes(s.dcOf[zone] ?? '') || cap <= 0) continue;
    const load = byZone.get(zone)?.length ?? 0;
    const pct = Math.round(((cap - load) / cap) * 1000) / 10;
    if (!low || pct < low.pct) low = { pct, zone, load, cap };
  }
  if (!low) return assessOk(`after ${what} every shard has a surviving owner (capacities unknown)`);
  const zone = `${low.zone} (${s.dcOf[low.zone] ?? '?'})`;
  return assessOk(
    `after ${what} every shard has a surviving owner; the fullest zone is ${zone}: ${low.load} of ${low.cap} shards, ${low.pct}% headroom`,
    {
      headroom: { pct: low.pct, zone },
    },
  );
}
