import { assessFail, assessOk, assessUnknown, listText, placed, type StepAssessment } from '../../model/assess.js';
import { wantedServers, type NginxUpstreamParams, type NginxUpstreamState } from './params.js';

/**
 * nginx.upstream what-if: nginx runs now, the servers the step brings up are outside the lost data
 * centers, and after the step at least one server outside them is up (nginx has no health checks of its
 * own: whether a standby server answers is known only once traffic reaches it).
 */
export function assessUpstream(p: NginxUpstreamParams, s: NginxUpstreamState, lost: readonly string[]): StepAssessment {
  const dcOf = (addr: string): string | undefined => p.dcs?.[addr];
  if (s.master === null) return assessFail(`nginx is not running now (no live master for ${s.file})`);
  const wanted = wantedServers(p);
  const toUp = Object.entries(wanted)
    .filter(([, w]) => w.state === 'up' || w.state === 'backup')
    .map(([addr]) => addr);
  const lostOnes = toUp.filter((a) => lost.includes(dcOf(a) ?? ''));
  if (lostOnes.length > 0) return assessFail(`the step brings up ${listText(lostOnes.map((a) => placed(a, dcOf(a))))}, lost`);
  const after = Object.entries(s.servers).map(([addr, v]) => ({ addr, state: wanted[addr]?.state ?? v.state, dc: dcOf(addr) }));
  const serving = after.filter((x) => x.state === 'up' && x.dc !== undefined && !lost.includes(x.dc));
  const unplaced = after.filter((x) => x.state === 'up' && x.dc === undefined);
  if (serving.length === 0) {
    return unplaced.length > 0
      ? assessUnknown(`${listText(unplaced.map((x) => x.addr))}: data center unknown (give the step dcs: {address: data center})`)
      : assessFail(`after the step no server of upstream ${s.upstream ?? s.file} that is up is outside ${listText(lost)}`);
  }
  const leaves =
    serving.length === 1
      ? [
          {
            risk: 'traffic' as const,
            text: `nginx ${s.upstream ?? s.file}: one server left serving (${placed(serving[0]?.addr ?? '', serving[0]?.dc)})`,
          },
        ]
      : [];
  return assessOk(
    `upstream ${s.upstream ?? s.file} serves from ${listText(serving.map((x) => placed(x.addr, x.dc)))} (nginx checks no server's health: known once traffic reaches it)`,
    { leaves },
  );
}
