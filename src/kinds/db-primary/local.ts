import { constants } from 'node:fs';
import { access, appendFile, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { tail } from '../../infra/exec.js';
import { stepError, type KindContext } from '../../model/kind.js';
import { endpointOf, libpqConninfo } from './connection.js';
import type { PgMember } from './params.js';

/**
 * Local control of a member whose data folder is on this host: pg_ctl, pg_controldata, pg_rewind,
 * run as the folder's OS user. All through ctx.exec (argv, cancellable); passwords via PGPASSWORD (pinned:
 * libpq would otherwise read the caller's PG* variables and ~/.pgpass).
 */
export interface ControlData {
  /** "in production", "shut down", "shut down in recovery", "in archive recovery"... */
  readonly state: string;
  readonly checkpointLsn: string;
  readonly timeline: number;
}

export const isManaged = (m: PgMember): m is PgMember & { dataDir: string } => m.dataDir !== undefined;

/**
 * dataDir and binDir relative to the runbook's folder become absolute, and a dataDir reached through a
 * link is followed here (as drctl's user): the tools run as osUser, who may not be able to pass through
 * the folders the link lives in (the lab's DIR/pg → a private folder under /tmp).
 */
export async function resolveMember(m: PgMember, baseDir: string): Promise<PgMember> {
  const dataDir = m.dataDir === undefined ? undefined : path.resolve(baseDir, m.dataDir);
  return {
    ...m,
    ...(dataDir === undefined ? {} : { dataDir: await realpath(dataDir).catch(() => dataDir) }),
    ...(m.binDir === undefined ? {} : { binDir: path.resolve(baseDir, m.binDir) }),
  };
}

/** Where the server's own major version keeps its tools (Debian/Ubuntu, PGDG RPM); pg_rewind must match the server. */
const VERSION_BIN_DIRS = (v: string): string[] => [`/usr/lib/postgresql/${v}/bin`, `/usr/pgsql-${v}/bin`];

/**
 * The tool's path: in binDir when given; else in the bin folder of the version the data folder was made
 * by (dataDir/PG_VERSION), so a runbook does not name a version; else the bare name (found on PATH).
 */
export async function toolPath(m: PgMember, tool: string): Promise<string> {
  if (m.binDir) return path.join(m.binDir, tool);
  if (m.dataDir === undefined) return tool;
  const version = (await readFile(path.join(m.dataDir, 'PG_VERSION'), 'utf8').catch(() => '')).trim();
  if (!/^\d+$/.test(version)) return tool;
  for (const dir of VERSION_BIN_DIRS(version)) {
    if (
      await access(path.join(dir, tool), constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return path.join(dir, tool);
  }
  return tool;
}

async function argv(m: PgMember, tool: string, args: readonly string[]): Promise<string[]> {
  const bin = await toolPath(m, tool);
  const asRoot = process.getuid?.() === 0;
  const cmd = asRoot && m.osUser ? ['runuser', '-u', m.osUser, '--', bin, ...args] : [bin, ...args];
  return m.netns === undefined ? cmd : ['ip', 'netns', 'exec', m.netns, ...cmd];
}

async function run(m: PgMember, tool: string, args: readonly string[], ctx: KindContext, env?: Record<string, string>): Promise<string> {
  const r = await ctx.exec(await argv(m, tool, args), { timeoutMs: 60_000, ...(env ? { env } : {}) });
  if (r.spawnError) throw stepError(`postgres ${m.name}: ${r.spawnError}`, { retryable: false });
  if (r.cancelled) throw stepError(`postgres ${m.name}: ${tool} cancelled`);
  if (r.exitCode !== 0) {
    throw stepError(
      `postgres ${m.name}: ${tool} ${args[0] === '-D' ? (args[args.length - 1] ?? '') : ''} failed: ${tail(r.stderr || r.stdout, 3)}`,
    );
  }
  return r.stdout;
}

export async function controlData(m: PgMember & { dataDir: string }, ctx: KindContext): Promise<ControlData> {
  const out = await run(m, 'pg_controldata', ['-D', m.dataDir], ctx);
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(out)?.[1]?.trim() ?? '';
  return {
    state: field('Database cluster state'),
    checkpointLsn: field('Latest checkpoint location'),
    timeline: Number(field("Latest checkpoint's TimeLineID")),
  };
}

/** Is a postmaster running on the data folder (pg_ctl status exit 0)? */
export async function isRunning(m: PgMember & { dataDir: string }, ctx: KindContext): Promise<boolean> {
  const r = await ctx.exec(await argv(m, 'pg_ctl', ['-D', m.dataDir, 'status']), { timeoutMs: 10_000 });
  return r.exitCode === 0;
}

/** Fence: fast shutdown (the walsender sends all WAL, up to the shutdown checkpoint, to the standbys). */
export async function stopFast(m: PgMember & { dataDir: string }, ctx: KindContext): Promise<void> {
  await run(m, 'pg_ctl', ['-D', m.dataDir, '-m', 'fast', '-w', '-t', '30', 'stop'], ctx);
}

export async function start(m: PgMember & { dataDir: string }, ctx: KindContext): Promise<void> {
  await run(m, 'pg_ctl', ['-D', m.dataDir, '-l', `${m.dataDir}.log`, '-w', '-t', '60', 'start'], ctx);
}

/**
 * Make a stopped former primary a standby of `source`: pg_rewind (which copies the source's config, so
 * the member's own port is written again afterwards) with -R (standby.signal + primary_conninfo).
 */
export async function rewindAsStandby(m: PgMember & { dataDir: string }, source: PgMember, ctx: KindContext): Promise<void> {
  const { conninfo, env } = libpqConninfo(endpointOf(source), 'drctl-rewind');
  await run(m, 'pg_rewind', ['-D', m.dataDir, '--source-server', conninfo, '-R', '--no-sync'], ctx, env);
  if (m.port !== undefined) await appendFile(path.join(m.dataDir, 'postgresql.auto.conf'), `port = '${m.port}'\n`);
}
