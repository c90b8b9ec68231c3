import type { Command } from 'commander';
import { describe, expect, test } from 'vitest';
import type { CliIO } from '../../../src/cli/io.js';
import { buildProgram } from '../../../src/cli/program.js';

const io: CliIO = {
  out: () => undefined,
  err: () => undefined,
  json: false,
  interactive: false,
  color: { out: false, err: false },
  confirm: async () => false,
};

/** Every command and subcommand a user can reach, as its words (`rules flip`). */
function commands(c: Command, prefix: readonly string[] = []): { words: string; cmd: Command }[] {
  return c.commands
    .filter((s) => s.name() !== 'help')
    .flatMap((s) => {
      const words = [...prefix, s.name()];
      return [{ words: words.join(' '), cmd: s }, ...commands(s, words)];
    });
}

describe('--help of every command', () => {
  const program = buildProgram(io, () => undefined);
  const all = commands(program);

  test('reaches the nested commands too', () => {
    expect(all.map((c) => c.words)).toEqual(expect.arrayContaining(['run', 'report', 'completion', 'rules flip', 'lab up']));
  });

  test.each(all.map((c) => [c.words, c.cmd] as const))('%s: examples, exit codes and the global options', (_words, cmd) => {
    let text = '';
    cmd.configureOutput({ writeOut: (s) => void (text += s), writeErr: () => undefined });
    cmd.outputHelp();
    expect(text).toMatch(/Global Options:[\s\S]*--json[\s\S]*--state <dir\|url>/);
    expect(text).toMatch(/\nExamples:\n {2}\$ .*\bdrctl\b/);
    expect(text).toMatch(/\nExit codes: 0\b/);
  });
});
