import { assessFail, assessOk, assessUnknown, listText, placed, type StepAssessment } from '../../model/assess.js';
import { wantedServers, type HaproxyServersParams, type HaproxyServersState } from './params.js';

/**
 * haproxy.servers what-if: the servers the step makes ready must be outside the lost data centers and up
 * now (a server in maintenance is not health-checked by HAProxy: its health is unknown until it is made
 * ready); after the step at least one ready server outside the lost ones must serve.
 */
export function assessServers(p: HaproxyServersParams, s: HaproxyServersState, lost: readonly string[]): StepAssessment {
  const dcOf = (name: string): string | undefined => p.dcs?.[name];
  const wanted = wantedServers(p);
  const after = Object.entries(s.servers).map(([name, v]) => ({
    name,
    state: wanted[name]?.state ?? v.state,
    up: v.up,
    checked: v.state !== 'maint',
    dc: dcOf(name),
  }));
  const toReady = Object.entries(wanted)
    .filter(([, w]) => w.state === 'ready')
    .map(([name]) => name);
  const lostOnes = toReady.filter((n) => lost.includes(dcOf(n) ?? ''));
  if (lostOnes.length > 0) return assessFail(`the step makes ready ${listText(lostOnes.map((n) => placed(n, dcOf(n))))}, lost`);
  const down = toReady.filter((n) => s.servers[n]?.state !== 'maint' && s.servers[n]?.up === false);
  if (down.length > 0)
    return assessFail(
      `${listText(down.map((n) => placed(n, dcOf(n))))} ${down.length === 1 ? 'is' : 'are'} DOWN now (failing HAProxy's health checks)`,
    );
  const serving = after.filter((x) => x.state === 'ready' && x.dc !== undefined && !lost.includes(x.dc));
  const unplaced = after.filter((x) => x.state === 'ready' && x.dc === undefined);
  if (serving.length === 0) {
    return unplaced.length > 0
      ? assessUnknown(`${listText(unplaced.map((x) => x.name))}: data center unknown (give the step dcs: {server: data center})`)
      : assessFail(`after the step no ready server of ${s.backend} is outside ${listText(lost)}`);
  }
  const unchecked = toReady.filter((n) => s.servers[n]?.state === 'maint');
  const note = unchecked.length > 0 ? `; ${listText(unchecked)} in maintenance now: not health-checked until made ready` : '';
  const leaves =
    serving.length === 1
      ? [
          {
            risk: 'traffic' as const,
            text: `haproxy ${s.backend}: one server left serving (${placed(serving[0]?.name ?? '', serving[0]?.dc)})`,
          },
        ]
      : [];
  return assessOk(`${s.backend} serves from ${listText(serving.map((x) => placed(x.name, x.dc)))}${note}`, { leaves });
}
