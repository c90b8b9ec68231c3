import { existsSync, readFileSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { tail } from '../../infra/exec.js';
import { processStart } from '../../infra/process-identity.js';
import { readProcCmdline } from '../../infra/proc.js';
import { descendantsOf } from '../../infra/process-tree.js';
import { stepError, type KindContext } from '../../model/kind.js';
import type { NginxUpstreamParams } from './params.js';

/** Where the estate's nginx lives: every command names its prefix and main config (never /etc/nginx by accident). */
export interface NginxTarget {
  readonly binary: string;
  readonly prefix: string;
  readonly conf: string;
  readonly errorLog: string | undefined;
  readonly pidFile: string;
}

const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** nginx on PATH, else in the sbin folders (not on every user's PATH). */
function defaultBinary(): string {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  const found = [...dirs, ...SBIN_DIRS].find((d) => existsSync(path.join(d, 'nginx')));
  return found === undefined ? 'nginx' : path.join(found, 'nginx');
}

/** The target with paths made absolute: prefix against the runbook's folder, the rest against the prefix (as nginx does). */
export function targetOf(p: NginxUpstreamParams, baseDir: string): NginxTarget {
  const prefix = path.resolve(baseDir, p.prefix);
  const confFile = path.resolve(prefix, p.conf);
  return {
    binary: p.binary ?? defaultBinary(),
    prefix,
    conf: p.conf,
    errorLog: p.errorLog,
    pidFile: path.resolve(prefix, p.pidFile ?? pidOfConf(confFile) ?? 'logs/nginx.pid'),
  };
}

/** The main config's top-level `pid` directive, when it has one. */
function pidOfConf(confFile: string): string | undefined {
  try {
    const m = /^\s*pid\s+([^;\s]+)\s*;/m.exec(readFileSync(confFile, 'utf8'));
    return m?.[1];
  } catch {
    return undefined;
  }
}

export const nginxArgv = (t: NginxTarget, ...args: string[]): string[] => [
  t.binary,
  '-p',
  `${t.prefix}/`,
  '-c',
  t.conf,
  ...(t.errorLog === undefined ? [] : ['-e', t.errorLog]),
  ...args,
];

/** The running master's pid, or null (no pid file, or its pid is not alive). */
export async function masterPid(t: NginxTarget): Promise<number | null> {
  const pid = Number((await readFile(t.pidFile, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 && isAlivePid(pid) ? pid : null;
}

/** A live process (not a zombie). */
const isAlivePid = (pid: number): boolean => processStart(pid) !== undefined;

/** `nginx -t -q`: null when the config passes, else nginx's own message (its [emerg] lines). */
export async function testConfig(t: NginxTarget, ctx: KindContext, timeoutMs: number): Promise<string | null> {
  const r = await ctx.exec(nginxArgv(t, '-t', '-q'), { timeoutMs });
  if (r.spawnError) throw stepError(`nginx: ${r.spawnError}`, { retryable: false, unchanged: true });
  if (r.timedOut) throw stepError(`nginx -t gave no answer within ${timeoutMs}ms`);
  if (r.exitCode === 0) return null;
  const lines = (r.stderr || r.stdout)
    .split('\n')
    .map((l) => l.replace(/^nginx: /, '').trim())
    .filter(Boolean);
  const errors = lines.filter((l) => !/test failed$/.test(l));
  return (errors.length > 0 ? errors : lines).join('; ') || `nginx -t exited with code ${r.exitCode ?? 'none'}`;
}

/** The master's worker processes now: pid → shutting down (an old generation finishing its requests)? */
export function workersOf(master: number): Map<number, boolean> {
  const out = new Map<number, boolean>();
  for (const p of descendantsOf([master])) {
    const title = readProcCmdline(p.pid);
    if (title === undefined) continue; // gone
    if (title.startsWith('nginx: worker process')) out.set(p.pid, title.includes('shutting down'));
  }
  return out;
}

/**
 * Graceful reload, proven: the master answers a reload by starting new workers only once the new config
 * is loaded and its listeners are open, and asks the old ones to finish. `-s reload` (or a HUP) returns
 * before that and says nothing of a reload that failed (a port in use): the reload counts only when every
 * worker that is not shutting down is a new one. Else the step fails naming nginx's error log lines.
 */
export async function reloadAndWait(
  t: NginxTarget,
  master: number,
  ctx: KindContext,
  how: 'signal' | 'hup',
  timeoutMs: number,
): Promise<void> {
  const old = new Set(workersOf(master).keys());
  const logFrom = await sizeOf(errorLogPath(t));
  if (how === 'hup') {
    try {
      process.kill(master, 'SIGHUP');
    } catch (e) {
      throw stepError(`nginx: cannot signal the master (pid ${master}): ${(e as Error).message}`, { unchanged: true });
    }
  } else {
    const r = await ctx.exec(nginxArgv(t, '-s', 'reload'), { timeoutMs });
    if (r.spawnError) throw stepError(`nginx: ${r.spawnError}`, { retryable: false, unchanged: true });
    if (r.exitCode !== 0)
      throw stepError(`nginx -s reload failed: ${tail(r.stderr || r.stdout, 3) || `exit code ${r.exitCode ?? 'none'}`}`, {
        unchanged: true,
      });
  }
  const deadline = ctx.clock.monotonic() + timeoutMs;
  for (;;) {
    const now = workersOf(master);
    const serving = [...now].filter(([, shuttingDown]) => !shuttingDown).map(([pid]) => pid);
    if (serving.length > 0 && serving.every((pid) => !old.has(pid))) return;
    if (ctx.clock.monotonic() > deadline || !isAlivePid(master)) {
      const log = await newLines(errorLogPath(t), logFrom);
      const why = !isAlivePid(master) ? `the master (pid ${master}) exited` : `no new worker process within ${timeoutMs}ms`;
      throw stepError(`nginx did not load the new config: ${why}${log ? ` (error log: ${log})` : ''}`);
    }
    await ctx.clock.sleep(10, ctx.signal);
  }
}

const errorLogPath = (t: NginxTarget): string | undefined => (t.errorLog === undefined ? undefined : path.resolve(t.prefix, t.errorLog));

async function sizeOf(file: string | undefined): Promise<number> {
  if (file === undefined) return 0;
  return (await stat(file).catch(() => undefined))?.size ?? 0;
}

/** The [emerg]/[alert]/[crit] lines written to the error log since offset `from` (the last 3). */
async function newLines(file: string | undefined, from: number): Promise<string> {
  if (file === undefined) return '';
  try {
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      const buf = Buffer.alloc(Math.max(0, Math.min(size - from, 64 * 1024)));
      await fh.read(buf, 0, buf.length, Math.max(from, size - buf.length));
      return buf
        .toString('utf8')
        .split('\n')
        .filter((l) => /\[(emerg|alert|crit)\]/.test(l))
        .slice(-3)
        .map((l) => l.replace(/^\S+ \S+ /, ''))
        .join('; ');
    } finally {
      await fh.close();
    }
  } catch {
    return '';
  }
}

export const readText = (file: string): Promise<string> => readFile(file, 'utf8');
