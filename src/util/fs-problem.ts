import { DrctlError, ExitCode } from './errors.js';

const WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EEXIST: 'is a file, not a directory',
  EROFS: 'read-only file system',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symbolic links',
  ENOSPC: 'no space left on the device',
};

/** A filesystem error in a few words ("is a directory"), or undefined when it is not one we know. */
export function fsProblem(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === undefined ? undefined : WORDS[code];
}

/** A file the user named cannot be used: the message names it, `problem` says why in words. */
export class FileProblem extends DrctlError {
  constructor(
    readonly file: string,
    readonly problem: string,
    message: string,
    cause: unknown,
  ) {
    super(problem === WORDS['ENOENT'] ? 'file-not-found' : 'file-unusable', ExitCode.invalidInput, message, { cause });
  }
}

/** Reading `file` failed: "runbook not found: x.yaml", "runbook x.yaml: is a directory". Unknown errors pass through. */
export function unreadableFile(what: string, file: string, e: unknown): unknown {
  const problem = fsProblem(e);
  if (problem === undefined) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const message = code === 'ENOENT' || code === 'ENOTDIR' ? `${what} not found: ${file}` : `${what} ${file}: ${problem}`;
  return new FileProblem(file, code === 'ENOTDIR' ? (WORDS['ENOENT'] ?? problem) : problem, message, e);
}

export const isFileProblem = (e: unknown): e is FileProblem => e instanceof FileProblem;
