import path from 'node:path';
import { parseDuration } from '../../util/duration.js';
import { editUpstream } from '../../infra/nginx-upstream.js';
import { defineKind } from '../define-kind.js';
import { HOLDS, notYet, stepError, type Holds } from '../../model/kind.js';
import { assessUpstream } from './assess.js';
import { fileOf, observeUpstream } from './observe.js';
import { nginxUpstreamSchema, wantedServers, type NginxServerView, type NginxUpstreamParams, type NginxUpstreamState } from './params.js';
import { rewriteAndReload } from './rewrite.js';

export type { NginxUpstreamParams, NginxUpstreamState } from './params.js';

/** The servers' full wanted view: current values where the params say nothing. */
function desiredOf(p: NginxUpstreamParams, current: NginxUpstreamState): NginxUpstreamState {
  const servers: Record<string, NginxServerView> = {};
  for (const [addr, want] of Object.entries(wantedServers(p))) {
    const now = current.servers[addr] as NginxServerView;
    servers[addr] = { state: want.state ?? now.state, weight: want.weight ?? now.weight };
  }
  const expect = p.probe ? (typeof p.probe.expect === 'string' ? [p.probe.expect] : [...p.probe.expect]) : undefined;
  return { file: current.file, upstream: current.upstream, servers, master: current.master, ...(expect ? { expectProbe: expect } : {}) };
}

function holdsUpstream(desired: NginxUpstreamState, current: NginxUpstreamState): Holds {
  for (const [addr, want] of Object.entries(desired.servers)) {
    const now = current.servers[addr];
    if (!now) return notYet(`nginx ${current.file}: server ${addr} is gone`);
    if (now.state !== want.state) return notYet(`nginx ${current.upstream ?? current.file}: ${addr} is ${now.state}, want ${want.state}`);
    if (now.weight !== want.weight)
      return notYet(`nginx ${current.upstream ?? current.file}: ${addr} has weight ${now.weight}, want ${want.weight}`);
  }
  if (current.master === null) return notYet('nginx is not running (no live master)');
  if (desired.expectProbe) {
    const probe = current.probe;
    if (!probe) return notYet('no probe answer yet');
    const wrong = Object.keys(probe.seen).filter((b) => !desired.expectProbe?.includes(b));
    if (probe.errors > 0) return notYet(`probe: ${probe.errors} request(s) failed (${probe.lastError ?? ''})`);
    if (wrong.length > 0) return notYet(`probe: traffic reaches ${wrong.join(', ')}, want only ${desired.expectProbe.join(', ')}`);
  }
  return HOLDS;
}

const line = (servers: Readonly<Record<string, NginxServerView>>, addrs: readonly string[]): string =>
  addrs
    .map((a) => `${a}=${servers[a]?.state ?? '?'}${servers[a] !== undefined && servers[a].weight !== 1 ? `/w${servers[a].weight}` : ''}`)
    .join(' ');

export const nginxUpstreamKind = defineKind<NginxUpstreamParams, NginxUpstreamState>({
  name: 'nginx.upstream',
  description:
    "Set an Nginx upstream's servers up/down/backup and weights by rewriting its include file; nginx -t, graceful reload, verify through the frontend.",
  paramsSchema: nginxUpstreamSchema,
  check(p) {
    const problems: { path: (string | number)[]; message: string }[] = [];
    if (Object.keys(wantedServers(p)).length === 0)
      problems.push({ path: [], message: 'name at least one server (servers, up, down or backup)' });
    if (p.commandTimeout !== undefined && !p.commandTimeout.includes('${') && parseDuration(p.commandTimeout) === undefined) {
      problems.push({ path: ['commandTimeout'], message: `bad duration "${p.commandTimeout}": use e.g. 500ms, 5s` });
    }
    const seen = new Map<string, string>();
    for (const list of ['up', 'down', 'backup'] as const) {
      for (const a of p[list] ?? []) {
        const prev = seen.get(a);
        if (prev) problems.push({ path: [list], message: `server ${a} is in both ${prev} and ${list}` });
        if (p.servers?.[a]?.state !== undefined)
          problems.push({ path: [list], message: `server ${a} is in ${list} and has a state in servers: give its state once` });
        seen.set(a, list);
      }
    }
    return problems;
  },
  claims: (p) => [{ path: ['file'], key: `file:${path.normalize(p.file)}`, what: `the nginx include file ${p.file}` }],
  observe: observeUpstream,
  decide(p, current) {
    const desired = desiredOf(p, current);
    return holdsUpstream(desired, current).ok
      ? { action: 'noop', reason: `servers already ${line(current.servers, Object.keys(desired.servers))}` }
      : { action: 'change', desired };
  },
  async apply(p, change, ctx) {
    const from = change.current.content;
    if (from === undefined)
      throw stepError('nginx.upstream: the observed state has no file content', { retryable: false, unchanged: true });
    let to: string;
    try {
      to = editUpstream(from, p.upstream, wantedServers(p));
    } catch (e) {
      throw stepError(`nginx ${fileOf(p, ctx)}: ${(e as Error).message}`, { retryable: false, unchanged: true });
    }
    await rewriteAndReload(p, fileOf(p, ctx), from, to, ctx);
  },
  holds: (_p, desired, current) => holdsUpstream(desired, current),
  assess: assessUpstream,
  async rollback(p, change, ctx) {
    // the file's previous content as observed before the step (comments and all), then a checked reload
    const before = change.desired.content;
    const now = change.current.content;
    if (before === undefined || now === undefined)
      throw stepError('nginx.upstream rollback: no recorded file content to put back', { retryable: false });
    await rewriteAndReload(p, fileOf(p, ctx), now, before, ctx);
  },
  describe(p, before, after) {
    const addrs = Object.keys(wantedServers(p)).sort();
    const head = `nginx ${before.upstream ?? path.basename(before.file)}: ${line(before.servers, addrs)}`;
    return after ? `${head} → ${line(after.servers, addrs)}` : head;
  },
  verifyIntervalMs: 50,
});
