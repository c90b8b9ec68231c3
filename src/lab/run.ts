import { existsSync, readdirSync } from 'node:fs';
import { runCommand, tail, type CommandOptions } from '../infra/exec.js';

/** PostgreSQL's server binaries (initdb, pg_ctl, pg_rewind) live outside PATH on Debian. */
export function pgBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const v = versions.find((x) => existsSync(`${root}/${x}/bin/initdb`));
  return v === undefined ? '' : `${root}/${v}/bin`;
}

/** PATH for lab commands: the caller's plus the sbin folders (haproxy, named) and PostgreSQL's bin. */
export function labEnv(): Record<string, string> {
  const parts = [process.env.PATH ?? '/usr/bin:/bin', '/usr/sbin', '/sbin', pgBinDir()].filter((p) => p !== '');
  return { PATH: parts.join(':') };
}

/** Run a setup command; throw a one-line error naming it (with its output tail) unless it exits 0. */
export async function mustRun(argv: readonly string[], options: CommandOptions = {}): Promise<string> {
  const r = await runCommand(argv, { timeoutMs: 60_000, env: labEnv(), ...options });
  if (r.spawnError) throw new Error(`${r.spawnError} (run bin/install-lab-deps.sh)`);
  if (r.exitCode !== 0) {
    const out = tail(r.stderr || r.stdout, 8);
    const why = r.timedOut ? 'timed out' : `exited with code ${r.exitCode ?? 'none'}`;
    throw new Error(`${argv.join(' ')} ${why}${out ? `: ${out}` : ''}`);
  }
  return r.stdout;
}

/** Are we root (then servers that must not run as root, like PostgreSQL, run through runuser)? */
export const isRoot = (): boolean => process.getuid?.() === 0;

/** argv to run a command as `user` when we are root; unchanged otherwise. */
export function asUser(user: string, argv: readonly string[]): string[] {
  return isRoot() ? ['runuser', '-u', user, '--', ...argv] : [...argv];
}
