import type { Command } from 'commander';
import { ExitCode } from '../../util/errors.js';
import { bashCompletion, zshCompletion } from '../completion.js';
import type { CliIO } from '../io.js';

/** drctl completion bash|zsh: the completion script for the shell, generated from the commands themselves. */
export async function completionCommand(io: CliIO, shell: 'bash' | 'zsh', _flags: unknown, cmd: Command): Promise<ExitCode> {
  let program: Command = cmd;
  while (program.parent) program = program.parent;
  io.out((shell === 'bash' ? bashCompletion(program) : zshCompletion(program)).trimEnd());
  return ExitCode.ok;
}
