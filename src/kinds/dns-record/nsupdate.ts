import path from 'node:path';
import { tail } from '../../infra/exec.js';
import { isSecret } from '../../util/secret.js';
import { stepError, type KindContext } from '../../model/kind.js';
import type { DnsRecordParams, RecordType, TsigKey } from './params.js';
import { serverAddr } from './query.js';

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
  const { host, port } = serverAddr(u.server);
  const name = `${u.fqdn}.`;
  const lines = [`server ${host} ${port}`, `zone ${u.zone.replace(/\.$/, '')}.`];
  if (u.expect.length === 0) lines.push(`prereq nxrrset ${name} IN ${u.type}`);
  for (const v of u.expect) lines.push(`prereq yxrrset ${name} IN ${u.type} ${data(u.type, v)}`);
  lines.push(`update delete ${name} IN ${u.type}`);
  for (const v of u.values) lines.push(`update add ${name} ${u.ttl} IN ${u.type} ${data(u.type, v)}`);
  lines.push('send', '');
  return lines.join('\n');
}

/** nsupdate's `key ALGORITHM:NAME SECRET` command: the secret travels on its stdin, never on argv or disk. */
export function renderKey(k: TsigKey): string {
  const secret = isSecret(k.secret) ? k.secret.reveal() : k.secret;
  const algorithm = k.algorithm ?? 'hmac-sha256';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(k.name))
    throw stepError(`dns.record: bad TSIG key name ${JSON.stringify(k.name)}`, { retryable: false });
  if (!/^hmac-[a-z0-9-]+$/i.test(algorithm))
    throw stepError(`dns.record: bad TSIG algorithm ${JSON.stringify(algorithm)}`, { retryable: false });
  if (!/^[A-Za-z0-9+/]+=*$/.test(secret)) throw stepError('dns.record: the TSIG secret is not base64', { retryable: false });
  return `key ${algorithm}:${k.name} ${secret}\n`;
}

/**
 * Send a TSIG-signed conditional update with nsupdate. A key file (keyFile) is named with -k; a key
 * given as a secret goes in as nsupdate's first input line: no temporary file, nothing on argv.
 */
export async function sendUpdate(p: DnsRecordParams, u: UpdateRequest, ctx: KindContext): Promise<void> {
  if (p.keyFile === undefined && !p.key) throw stepError('dns.record: give key (name, secret) or keyFile', { retryable: false });
  const seconds = String(Math.max(1, Math.ceil(u.timeoutMs / 1000)));
  const keyArgs = p.keyFile !== undefined ? ['-k', path.resolve(ctx.baseDir, p.keyFile)] : [];
  const r = await ctx.exec(['nsupdate', ...keyArgs, '-t', seconds, '-u', seconds, '-r', '0'], {
    input: (p.key && p.keyFile === undefined ? renderKey(p.key) : '') + renderUpdate(u),
    timeoutMs: u.timeoutMs * 2 + 1000,
  });
  if (r.spawnError) throw stepError(`dns ${u.server}: ${r.spawnError} (install bind9-dnsutils)`, { retryable: false });
  if (r.cancelled) throw stepError(`dns ${u.server}: update cancelled`);
  if (r.exitCode !== 0 || r.timedOut) throw updateError(u, `${r.stderr}\n${r.stdout}`, r.timedOut);
}

function updateError(u: UpdateRequest, output: string, timedOut: boolean): Error {
  const at = `dns ${u.server}`;
  if (/tsig|BADKEY|BADSIG|NOTAUTH/i.test(output)) {
    return stepError(`${at}: update of ${u.fqdn} ${u.type} refused: TSIG verification failed (wrong key name or secret?)`, {
      retryable: false,
    });
  }
  if (/could not read key|bad key|failed to load|invalid key|bad secret/i.test(output))
    return stepError(`${at}: cannot use the TSIG key: ${tail(output, 2)}`, { retryable: false });
  if (/REFUSED/.test(output))
    return stepError(`${at}: update of ${u.fqdn} ${u.type} refused (the key may not update zone ${u.zone})`, { retryable: false });
  if (/NOTZONE/.test(output)) return stepError(`${at}: ${u.fqdn} is not in zone ${u.zone}`, { retryable: false });
  if (/NXRRSET|YXRRSET|NXDOMAIN|YXDOMAIN/.test(output)) {
    return stepError(
      `${at}: ${u.fqdn} ${u.type} changed since it was observed (want [${u.expect.join(', ')}]): prerequisite failed, observe again`,
    );
  }
  if (timedOut || /timed out|communications error|connection refused/i.test(output))
    return stepError(`${at}: unreachable (${tail(output, 1) || 'timed out'})`);
  return stepError(`${at}: nsupdate failed: ${tail(output, 3)}`);
}
