import type { Command } from 'commander';
import type { ExitCode } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { collectingIO, writeDocument } from './document.js';

type CommandFn<A extends unknown[]> = (io: CliIO, ...args: A) => Promise<ExitCode>;

/**
 * For a command whose document is what it prints on stdout: with `-o FILE` that output goes to FILE
 * instead (text, or the JSON document under --json), written once the command returns. The command
 * itself knows nothing of -o.
 */
export const toFile =
  <A extends unknown[]>(load: () => Promise<CommandFn<A>>) =>
  async (): Promise<CommandFn<A>> => {
    const fn = await load();
    return async (io, ...args) => {
      const cmd = args.at(-1) as Command;
      const out = cmd.opts<{ out?: string }>().out;
      if (out === undefined || out === '-') return fn(io, ...args);
      const collected = collectingIO(io);
      const code = await fn(collected.io, ...args);
      await writeDocument(io, out, collected.text());
      return code;
    };
  };
