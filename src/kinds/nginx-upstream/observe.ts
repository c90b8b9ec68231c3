import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { parseDuration } from '../../util/duration.js';
import { parseUpstream } from '../../infra/nginx-upstream.js';
import { probeTraffic } from '../haproxy-servers/probe.js';
import { stepError, type KindContext } from '../../model/kind.js';
import { masterPid, targetOf } from './nginx-process.js';
import { lostDc, lostOf } from '../survivors.js';
import { wantedServers, type NginxServerView, type NginxUpstreamParams, type NginxUpstreamState, type StubStatus } from './params.js';

const DEFAULT_TIMEOUT_MS = 5000;
export const timeoutOf = (p: NginxUpstreamParams): number =>
  (p.commandTimeout === undefined ? undefined : parseDuration(p.commandTimeout)) ?? DEFAULT_TIMEOUT_MS;

/** Step attempts already told about servers left up in a lost data center (verify polls observe again). */
const warned = new WeakSet<KindContext>();

export const fileOf = (p: NginxUpstreamParams, ctx: KindContext): string => path.resolve(ctx.baseDir, p.file);

/** The servers of the upstream in `content`, as a step names them; unknown names and unreadable files are the runbook's fault. */
export function serversIn(
  p: NginxUpstreamParams,
  content: string,
  file: string,
): { upstream: string | null; servers: Record<string, NginxServerView> } {
  let parsed;
  try {
    parsed = parseUpstream(content, p.upstream);
  } catch (e) {
    throw stepError(`nginx ${file}: ${(e as Error).message}`, { retryable: false });
  }
  const servers: Record<string, NginxServerView> = {};
  for (const s of parsed.servers) servers[s.addr] = { state: s.state, weight: s.weight };
  const unknown = Object.keys(wantedServers(p)).filter((a) => !(a in servers));
  if (unknown.length > 0) {
    throw stepError(
      `nginx ${file}: upstream ${parsed.name ?? '(file)'} has no server ${unknown.join(', ')} (has ${Object.keys(servers).join(', ') || 'none'})`,
      { retryable: false },
    );
  }
  return { upstream: parsed.name, servers };
}

/**
 * Read-only: the include file (its content, kept for rollback, and its servers), whether the master
 * runs, and where given the stub_status endpoint and (once the file has the wanted servers) the probe
 * through the frontend.
 */
export async function observeUpstream(p: NginxUpstreamParams, ctx: KindContext): Promise<NginxUpstreamState> {
  const file = fileOf(p, ctx);
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw stepError(`nginx ${file}: cannot read the upstream file (${code ?? (e as Error).message})`, {
      retryable: code !== 'ENOENT' && code !== 'EACCES',
    });
  }
  const { upstream, servers } = serversIn(p, content, file);
  const timeoutMs = timeoutOf(p);
  // the probe proves the wanted servers serve: before the file has them it would prove nothing, and sent
  // through a cut data center's servers it would wait on each of them (nginx's proxy timeouts) for nothing
  const wanted = Object.entries(wantedServers(p)).every(
    ([a, w]) => (w.state ?? servers[a]?.state) === servers[a]?.state && (w.weight ?? servers[a]?.weight) === servers[a]?.weight,
  );
  // nothing here talks to another data center but the probe, through the servers the file keeps up: one
  // the step leaves up in a lost data center (ctx.lost) would make nginx wait on it, so it is said
  const lost = lostOf(ctx);
  const upInLost = Object.keys(servers).filter(
    (a) => (wantedServers(p)[a]?.state ?? servers[a]?.state) === 'up' && lostDc(lost, p.dcs?.[a]) !== undefined,
  );
  if (upInLost.length > 0 && !warned.has(ctx)) {
    warned.add(ctx);
    ctx.note('upInLostDataCenters', upInLost);
    ctx.log.warn(
      { servers: upInLost },
      'servers left up in a lost data center: nginx tries them first and waits its proxy timeouts on each',
    );
  }
  const [master, status, probe] = await Promise.all([
    masterPid(targetOf(p, ctx.baseDir)),
    p.status === undefined ? undefined : stubStatus(p.status, timeoutMs, ctx.signal),
    p.probe === undefined || !wanted ? undefined : probeTraffic(p.probe.url, p.probe.samples ?? 10, timeoutMs, ctx.signal),
  ]);
  return {
    file,
    upstream,
    content,
    servers,
    master,
    ...(status === undefined ? {} : { status }),
    ...(probe === undefined ? {} : { probe }),
  };
}

/** GET a stub_status page: active connections and requests served, or what went wrong. */
function stubStatus(url: string, timeoutMs: number, signal: AbortSignal): Promise<StubStatus | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs, signal }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        const active = /Active connections:\s*(\d+)/.exec(body);
        const counts = /\n\s*(\d+)\s+(\d+)\s+(\d+)\s*\n/.exec(body);
        resolve(
          active && counts
            ? { active: Number(active[1]), requests: Number(counts[3]) }
            : { error: `not a stub_status page (HTTP ${res.statusCode ?? '?'})` },
        );
      });
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs}ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}
