import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { tail } from '../../util/exec.js';
import { isSecret } from '../../util/secret.js';
import { stepError, type KindContext } from '../types.js';
import type { DnsRecordParams, RecordType } from './params.js';

export interface UpdateRequest {
  readonly server: string;
  readonly zone: string;
  readonly fqdn: string;
  readonly type: RecordType;
  /** The rrset observed: the update applies only if the server still has exactly this (RFC 2136 prerequisite). */
  readonly expect: readonly string[];
  readonly values: readonly string[];
  readonly ttl: number;
  readonly timeoutMs: number;
}

/** Render one record's data for nsupdate; refuse anything that could break out of its line. */
function data(type: RecordType, v: string): string {
  if (/[\r\n]/.test(v)) throw stepError(`dns: value ${JSON.stringify(v)} contains a line break`, { retryable: false });
  if (type === 'TXT') return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  if (/\s/.test(v)) throw stepError(`dns: ${type} value ${JSON.stringify(v)} contains spaces`, { retryable: false });
  return type === 'CNAME' && !v.endsWith('.') ? `${v}.` : v;
}

export function renderUpdate(u: UpdateRequest): string {
  const [host, port] = splitServer(u.server);
  const name = `${u.fqdn}.`;
  const lines = [`server ${host} ${port}`, `zone ${u.zone.replace(/\.$/, '')}.`];
  if (u.expect.length === 0) lines.push(`prereq nxrrset ${name} IN ${u.type}`);
  for (const v of u.expect) lines.push(`prereq yxrrset ${name} IN ${u.type} ${data(u.type, v)}`);
  lines.push(`update delete ${name} IN ${u.type}`);
  for (const v of u.values) lines.push(`update add ${name} ${u.ttl} IN ${u.type} ${data(u.type, v)}`);
  lines.push('send', '');
  return lines.join('\n');
}

export function splitServer(server: string): [string, string] {
  const m = /^(.*):(\d+)$/.exec(server);
  return m ? [m[1] ?? server, m[2] ?? '53'] : [server, '53'];
}

/**
 * Send a TSIG-signed conditional update with nsupdate. A key given as a secret goes through a temporary
 * key file (mode 600, deleted afterwards), never on argv.
 */
export async function sendUpdate(p: DnsRecordParams, u: UpdateRequest, ctx: KindContext): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'drctl-tsig-'));
  try {
    const keyFile = p.keyFile !== undefined ? path.resolve(ctx.baseDir, p.keyFile) : path.join(tmp, 'key.conf');
    if (p.keyFile === undefined) {
      if (!p.key) throw stepError('dns.record: give key (name, secret) or keyFile', { retryable: false });
      const secret = isSecret(p.key.secret) ? p.key.secret.reveal() : p.key.secret;
      const body = `key "${p.key.name}" {\n  algorithm ${p.key.algorithm ?? 'hmac-sha256'};\n  secret "${secret}";\n};\n`;
      await writeFile(keyFile, body, { mode: 0o600 });
    }
    const seconds = String(Math.max(1, Math.ceil(u.timeoutMs / 1000)));
    const r = await ctx.exec(['nsupdate', '-k', keyFile, '-t', seconds, '-u', seconds, '-r', '0'], {
      input: renderUpdate(u),
      timeoutMs: u.timeoutMs * 2 + 1000,
    });
    if (r.spawnError) throw stepError(`dns ${u.server}: ${r.spawnError} (install bind9-dnsutils)`, { retryable: false });
    if (r.cancelled) throw stepError(`dns ${u.server}: update cancelled`);
    if (r.exitCode !== 0 || r.timedOut) throw updateError(u, `${r.stderr}\n${r.stdout}`, r.timedOut);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function updateError(u: UpdateRequest, output: string, timedOut: boolean): Error {
  const at = `dns ${u.server}`;
  if (/tsig|BADKEY|BADSIG|NOTAUTH/i.test(output)) {
    return stepError(`${at}: update of ${u.fqdn} ${u.type} refused: TSIG verification failed (wrong key name or secret?)`, { retryable: false });
  }
  if (/could not read key|bad key|failed to load/i.test(output)) return stepError(`${at}: cannot use the TSIG key: ${tail(output, 2)}`, { retryable: false });
  if (/REFUSED/.test(output)) return stepError(`${at}: update of ${u.fqdn} ${u.type} refused (the key may not update zone ${u.zone})`, { retryable: false });
  if (/NOTZONE/.test(output)) return stepError(`${at}: ${u.fqdn} is not in zone ${u.zone}`, { retryable: false });
  if (/NXRRSET|YXRRSET|NXDOMAIN|YXDOMAIN/.test(output)) {
    return stepError(`${at}: ${u.fqdn} ${u.type} changed since it was observed (want [${u.expect.join(', ')}]): prerequisite failed, observe again`);
  }
  if (timedOut || /timed out|communications error|connection refused/i.test(output)) return stepError(`${at}: unreachable (${tail(output, 1) || 'timed out'})`);
  return stepError(`${at}: nsupdate failed: ${tail(output, 3)}`);
}
