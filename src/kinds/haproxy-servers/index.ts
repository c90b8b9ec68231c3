import path from 'node:path';
import { parseDuration } from '../../util/duration.js';
import { defineKind } from '../define-kind.js';
import { HOLDS, NOTHING_UNDONE, notYet, stepError, type Holds, type KindContext } from '../../model/kind.js';
import { assessServers } from './assess.js';
import { haproxyServersSchema, wantedServers, type HaproxyServersParams, type HaproxyServersState, type ServerWant } from './params.js';
import { probeTraffic } from './probe.js';
import { lostDc, lostOf } from '../survivors.js';
import { parseServersState, runtimeCommand, type ServerView } from './runtime-api.js';

export type { HaproxyServersParams, HaproxyServersState } from './params.js';

const DEFAULT_TIMEOUT_MS = 2000;
const timeoutOf = (p: HaproxyServersParams): number =>
  (p.commandTimeout === undefined ? undefined : parseDuration(p.commandTimeout)) ?? DEFAULT_TIMEOUT_MS;

/** A unix socket path relative to the runbook's folder becomes absolute; host:port stays. */
const socketOf = (p: HaproxyServersParams, ctx: KindContext): string =>
  /^[^/].*:\d+$/.test(p.socket) || path.isAbsolute(p.socket) ? p.socket : path.resolve(ctx.baseDir, p.socket);

async function command(p: HaproxyServersParams, cmd: string, ctx: KindContext): Promise<string> {
  return runtimeCommand(socketOf(p, ctx), cmd, timeoutOf(p), ctx.signal);
}

async function observeServers(p: HaproxyServersParams, ctx: KindContext): Promise<HaproxyServersState> {
  const text = await command(p, `show servers state ${p.backend}`, ctx);
  if (/Can't find backend|No such backend/i.test(text)) {
    throw stepError(`haproxy ${p.socket}: no backend "${p.backend}"`, { retryable: false });
  }
  if (/Permission denied/i.test(text)) {
    throw stepError(`haproxy ${p.socket}: permission denied: the socket needs "level admin"`, { retryable: false });
  }
  const servers = parseServersState(text);
  const unknown = Object.keys(wantedServers(p)).filter((n) => !(n in servers));
  if (unknown.length > 0) {
    throw stepError(
      `haproxy ${p.socket}: backend ${p.backend} has no server ${unknown.map((n) => `"${n}"`).join(', ')} (has ${Object.keys(servers).join(', ')})`,
      { retryable: false },
    );
  }
  const lost = lostOf(ctx);
  const lostServers = Object.keys(servers).filter((n) => lostDc(lost, p.dcs?.[n]) !== undefined);
  const seen = { backend: p.backend, servers, ...(lostServers.length > 0 ? { lostServers } : {}) };
  // with servers in a lost data center (ctx.lost) the probe waits only for a switch already made: sent
  // through the cut servers before they are set, it would wait on HAProxy's own timeouts for nothing
  if (!p.probe || (lostServers.length > 0 && !statesAsWanted(p, servers))) return seen;
  const probe = await probeTraffic(p.probe.url, p.probe.samples ?? 10, timeoutOf(p), ctx.signal);
  return { ...seen, probe };
}

/** Every named server already has the state and weight the step wants. */
function statesAsWanted(p: HaproxyServersParams, servers: Readonly<Record<string, ServerView>>): boolean {
  return Object.entries(wantedServers(p)).every(
    ([name, want]) =>
      (want.state === undefined || servers[name]?.state === want.state) &&
      (want.weight === undefined || servers[name]?.weight === want.weight),
  );
}

function holdsServers(desired: HaproxyServersState, current: HaproxyServersState, socket: string): Holds {
  for (const [name, want] of Object.entries(desired.servers)) {
    const now = current.servers[name];
    if (!now) return notYet(`haproxy ${socket}: server ${desired.backend}/${name} is gone`);
    if (now.state !== want.state) return notYet(`haproxy ${desired.backend}/${name}: state is ${now.state}, want ${want.state}`);
    if (now.weight !== want.weight) return notYet(`haproxy ${desired.backend}/${name}: weight is ${now.weight}, want ${want.weight}`);
    if (want.state === 'ready' && want.up && !now.up && !current.lostServers?.includes(name))
      return notYet(`haproxy ${desired.backend}/${name}: ready but DOWN (health check failing), want UP`);
  }
  if (desired.expectProbe) {
    const probe = current.probe;
    if (!probe) return notYet('no probe answer yet');
    const wrong = Object.keys(probe.seen).filter((b) => !desired.expectProbe?.includes(b));
    if (probe.errors > 0) return notYet(`probe: ${probe.errors} request(s) failed (${probe.lastError ?? ''})`);
    if (wrong.length > 0) return notYet(`probe: traffic reaches ${wrong.join(', ')}, want only ${desired.expectProbe.join(', ')}`);
  }
  return HOLDS;
}

/** The servers' full wanted view: current values where the params say nothing. */
function desiredOf(p: HaproxyServersParams, current: HaproxyServersState): HaproxyServersState {
  const servers: Record<string, ServerView> = {};
  for (const [name, want] of Object.entries(wantedServers(p))) {
    const now = current.servers[name] as ServerView;
    const state = want.state ?? now.state;
    servers[name] = { state, weight: want.weight ?? now.weight, up: state === 'ready' };
  }
  const expect = p.probe ? (typeof p.probe.expect === 'string' ? [p.probe.expect] : [...p.probe.expect]) : undefined;
  return { backend: p.backend, servers, ...(expect ? { expectProbe: expect } : {}) };
}

/** Send `set server ... state` and `set weight` for every server whose state or weight differs. */
async function setServers(
  p: HaproxyServersParams,
  current: HaproxyServersState,
  desired: Readonly<Record<string, ServerWant>>,
  ctx: KindContext,
): Promise<number> {
  let sent = 0;
  for (const [name, want] of Object.entries(desired)) {
    const now = current.servers[name];
    const cmds: string[] = [];
    if (want.weight !== undefined && want.weight !== now?.weight) cmds.push(`set weight ${p.backend}/${name} ${want.weight}`);
    if (want.state !== undefined && want.state !== now?.state) cmds.push(`set server ${p.backend}/${name} state ${want.state}`);
    for (const cmd of cmds) {
      const answer = (await command(p, cmd, ctx)).trim();
      if (answer !== '') throw stepError(`haproxy ${p.socket}: "${cmd}" refused: ${answer}`, { retryable: false });
      sent += 1;
    }
  }
  return sent;
}

const line = (servers: Readonly<Record<string, ServerView>>, names: readonly string[]): string =>
  names.map((n) => `${n}=${servers[n]?.state ?? '?'}${servers[n]?.weight !== 1 ? `/w${servers[n]?.weight ?? '?'}` : ''}`).join(' ');

export const haproxyServersKind = defineKind<HaproxyServersParams, HaproxyServersState>({
  name: 'haproxy.servers',
  description: 'Set HAProxy servers ready/drain/maint and weights over the runtime API; verify traffic through the frontend.',
  paramsSchema: haproxyServersSchema,
  check(p) {
    const problems: { path: (string | number)[]; message: string }[] = [];
    if (Object.keys(wantedServers(p)).length === 0)
      problems.push({ path: [], message: 'name at least one server (servers, ready, drain or maint)' });
    if (p.commandTimeout !== undefined && !p.commandTimeout.includes('${') && parseDuration(p.commandTimeout) === undefined) {
      problems.push({ path: ['commandTimeout'], message: `bad duration "${p.commandTimeout}": use e.g. 500ms, 2s` });
    }
    const seen = new Map<string, string>();
    for (const list of ['ready', 'drain', 'maint'] as const) {
      for (const n of p[list] ?? []) {
        const prev = seen.get(n);
        if (prev) problems.push({ path: [list], message: `server "${n}" is in both ${prev} and ${list}` });
        const mapped = p.servers?.[n]?.state;
        if (mapped !== undefined)
          problems.push({ path: [list], message: `server "${n}" is in ${list} and has state ${mapped} in servers: give its state once` });
        seen.set(n, list);
      }
    }
    return problems;
  },
  observe: observeServers,
  decide(p, current) {
    const desired = desiredOf(p, current);
    return holdsServers(desired, current, p.socket).ok
      ? { action: 'noop', reason: `servers already ${line(current.servers, Object.keys(desired.servers))}` }
      : { action: 'change', desired };
  },
  async apply(p, change, ctx) {
    await setServers(p, change.current, change.desired.servers, ctx);
  },
  holds: (p, desired, current) => holdsServers(desired, current, p.socket),
  assess: assessServers,
  async rollback(p, change, ctx) {
    // Restore every server's state and weight as observed before (not only the ones the step named).
    const before = Object.fromEntries(Object.entries(change.desired.servers).map(([n, v]) => [n, { state: v.state, weight: v.weight }]));
    // only a health check still DOWN differs (it comes back by itself): nothing to send, nothing undone
    return (await setServers(p, change.current, before, ctx)) === 0 ? NOTHING_UNDONE : undefined;
  },
  describe(p, before, after) {
    const names = Object.keys(wantedServers(p)).sort();
    const head = `haproxy ${p.backend}: ${line(before.servers, names)}`;
    return after ? `${head} → ${line(after.servers, names)}` : head;
  },
  verifyIntervalMs: 100,
});
