import { promises as dnsPromises } from 'node:dns';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pollFor, spawnDetached } from './process.js';
import { labEnv, mustRun } from './run.js';

export interface BindOptions {
  readonly dir: string;
  readonly port: number;
  readonly zone: string;
  readonly keyName: string;
  readonly ttlSeconds: number;
  /** Records at start: name (relative to the zone) → A address. */
  readonly records: Readonly<Record<string, string>>;
  /** Address to listen on (default 127.0.0.1). */
  readonly host?: string;
}

export interface StartedBind {
  readonly pid: number;
  readonly logFile: string;
  readonly keyFile: string;
  readonly algorithm: string;
}

export const TSIG_ALGORITHM = 'hmac-sha256';

/** The options every lab named shares: its own folder, loopback only on `port`, no recursion, no rndc. */
function namedOptions(dir: string, pidFile: string, port: number, host = '127.0.0.1'): string {
  return `options {
  directory "${dir}";
  pid-file "${pidFile}";
  session-keyfile "${path.join(dir, 'session.key')}";
  managed-keys-directory "${dir}";
  listen-on port ${port} { ${host}; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
};
controls { };
`;
}

export function renderNamedConf(o: BindOptions, files: { keyFile: string; zoneFile: string; pidFile: string }): string {
  return `include "${files.keyFile}";
${namedOptions(o.dir, files.pidFile, o.port, o.host)}zone "${o.zone}" {
  type primary;
  file "${files.zoneFile}";
  allow-update { key "${o.keyName}"; };
};
`;
}

export function renderZone(o: BindOptions): string {
  const records = Object.entries(o.records).map(([name, addr]) => `${name} IN A ${addr}`);
  return [
    `$TTL ${o.ttlSeconds}`,
    `@ IN SOA ns1.${o.zone}. hostmaster.${o.zone}. ( 1 60 30 600 ${o.ttlSeconds} )`,
    `@ IN NS ns1.${o.zone}.`,
    'ns1 IN A 127.0.0.1',
    ...records,
    '',
  ].join('\n');
}

/**
 * Start named in the foreground (-g, own session) as the current user: with high ports and its own
 * folder it needs no privilege (lab.md's bind-user notes apply only to `-u bind`). A fresh key and zone
 * every start (the .jnl journal of earlier updates is removed).
 */
export async function startBind(o: BindOptions): Promise<StartedBind> {
  await mkdir(o.dir, { recursive: true });
  const keyFile = path.join(o.dir, `${o.keyName}.key`);
  const zoneFile = path.join(o.dir, `${o.zone}.zone`);
  const pidFile = path.join(o.dir, 'named.pid');
  const conf = path.join(o.dir, 'named.conf');
  const logFile = path.join(o.dir, 'named.log');
  const key = await mustRun(['tsig-keygen', '-a', TSIG_ALGORITHM, o.keyName]);
  await writeFile(keyFile, `${key}\n`, { mode: 0o600 });
  await rm(`${zoneFile}.jnl`, { force: true });
  await writeFile(zoneFile, renderZone(o));
  await writeFile(conf, renderNamedConf(o, { keyFile, zoneFile, pidFile }));
  await mustRun(['named-checkconf', conf]);
  const pid = spawnDetached(['named', '-g', '-c', conf], { logFile, cwd: o.dir, env: labEnv() });
  const [firstName, firstAddr] = Object.entries(o.records)[0] ?? ['ns1', '127.0.0.1'];
  await pollFor(
    async () => {
      const r = new dnsPromises.Resolver({ timeout: READY_QUERY_TIMEOUT_MS, tries: 1 });
      r.setServers([`${o.host ?? '127.0.0.1'}:${o.port}`]);
      return (await r.resolve4(`${firstName}.${o.zone}`)).includes(firstAddr);
    },
    `named on ${o.host ?? '127.0.0.1'}:${o.port} to answer for ${o.zone} (see ${logFile})`,
  );
  return { pid, logFile, keyFile, algorithm: TSIG_ALGORITHM };
}

/** The secret inside a tsig-keygen key file (for `${secret.DRCTL_LAB_TSIG}`). */
/**
 * One readiness query while named starts (polled until it answers): in-process, so the time is named's;
 * long enough that a busy machine does not read a starting server as silent over and over.
 */
const READY_QUERY_TIMEOUT_MS = 2000;

export async function readTsigSecret(keyFile: string): Promise<string> {
  const m = /secret\s+"([^"]+)"/.exec(await readFile(keyFile, 'utf8'));
  if (!m?.[1]) throw new Error(`no secret in key file ${keyFile}`);
  return m[1];
}

export interface BindSecondaryOptions {
  readonly dir: string;
  readonly port: number;
  readonly zone: string;
  /** The primary's port on 127.0.0.1 (zone transfers from it; NOTIFY is accepted from 127.0.0.1). */
  readonly primaryPort: number;
  /** A name in the zone and its A address: the secondary is ready once it answers them. */
  readonly probe: readonly [string, string];
}

/** A second authoritative server: a secondary of the zone, loaded by zone transfer from the primary. */
export async function startBindSecondary(o: BindSecondaryOptions): Promise<{ pid: number; logFile: string }> {
  await mkdir(o.dir, { recursive: true });
  const conf = path.join(o.dir, 'named.conf');
  const logFile = path.join(o.dir, 'named.log');
  await writeFile(
    conf,
    `${namedOptions(o.dir, path.join(o.dir, 'named.pid'), o.port)}zone "${o.zone}" {
  type secondary;
  primaries { 127.0.0.1 port ${o.primaryPort}; };
  file "${path.join(o.dir, `${o.zone}.zone`)}";
};
`,
  );
  await mustRun(['named-checkconf', conf]);
  const pid = spawnDetached(['named', '-g', '-c', conf], { logFile, cwd: o.dir, env: labEnv() });
  const [name, addr] = o.probe;
  await pollFor(async () => {
    const r = new dnsPromises.Resolver({ timeout: READY_QUERY_TIMEOUT_MS, tries: 1 });
    r.setServers([`127.0.0.1:${o.port}`]);
    return (await r.resolve4(`${name}.${o.zone}`)).includes(addr);
  }, `secondary named on 127.0.0.1:${o.port} to load ${o.zone} (see ${logFile})`);
  return { pid, logFile };
}
