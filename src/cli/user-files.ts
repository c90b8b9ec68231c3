import type { WriteFileOptions } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { DrctlError, ExitCode, usageError } from '../util/errors.js';
import { fsProblem } from '../util/fs-problem.js';

/** Write a file the user named with a flag (-o FILE): a path that cannot be written is a usage error naming both. */
export async function writeUserFile(flag: string, file: string, text: string, options?: WriteFileOptions): Promise<void> {
  try {
    await writeFile(file, text, options);
  } catch (e) {
    const problem = fsProblem(e);
    if (problem === undefined) throw e;
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `no such directory ${dirname(resolve(file))}` : problem;
    throw usageError(`${flag} ${file}: cannot write it: ${why}`);
  }
}

/** Flags whose value is a path (a folder for --state and the lab's --dir). */
const PATH_FLAGS = ['--state', '--params-file', '-o', '--out', '--plan', '--runbook', '--plugin', '--dir', '--topology'] as const;

/**
 * A filesystem error (EEXIST, ENOTDIR, EACCES...) met on a path the user gave with a flag, told as a
 * usage error naming the flag and the path (exit 3), instead of an internal error with a stack. The
 * flag is found by the error's path: the flag's value or a path inside it. `--state` also counts when
 * it came from DRCTL_STATE or its default (.drctl).
 */
export function flagPathError(e: unknown, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DrctlError | undefined {
  const problem = fsProblem(e);
  const at = (e as NodeJS.ErrnoException | undefined)?.path;
  if (problem === undefined || typeof at !== 'string') return undefined;
  const target = resolve(at);
  const given = flagValues(argv);
  if (!given.some(([flag]) => flag === '--state'))
    given.push([env.DRCTL_STATE === undefined ? '--state (default)' : '--state (DRCTL_STATE)', env.DRCTL_STATE ?? '.drctl']);
  for (const [flag, value] of given) {
    const base = resolve(value);
    if (target !== base && !target.startsWith(`${base}${sep}`)) continue;
    const where = target === base ? '' : ` (at ${at})`;
    return new DrctlError('bad-path', ExitCode.invalidInput, `${flag} ${value}: ${problem}${where}`, { cause: e });
  }
  return undefined;
}

function flagValues(argv: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  argv.forEach((arg, i) => {
    for (const flag of PATH_FLAGS) {
      if (arg === flag && argv[i + 1] !== undefined) out.push([flag, argv[i + 1] as string]);
      else if (arg.startsWith(`${flag}=`)) out.push([flag, arg.slice(flag.length + 1)]);
    }
  });
  return out;
}
