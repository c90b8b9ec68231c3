import { createInterface } from 'node:readline/promises';
import type { CliIO } from '../io.js';

export interface OutputFlags {
  readonly json: boolean;
  readonly color: boolean | undefined;
}

/** Colour rule (colorette's, so listr2 and drctl agree): --no-color/NO_COLOR off, FORCE_COLOR on, else isTTY. */
export function colorFor(stream: NodeJS.WriteStream, flag: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (flag === false || 'NO_COLOR' in env) return false;
  if (flag === true || ('FORCE_COLOR' in env && env.FORCE_COLOR !== '0')) return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Decided once, in main.ts. */
export function createCliIO(flags: OutputFlags, env: NodeJS.ProcessEnv = process.env): CliIO {
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true && !env.CI;
  return {
    out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    json: flags.json,
    interactive,
    color: { out: colorFor(process.stdout, flags.color, env), err: colorFor(process.stderr, flags.color, env) },
    async confirm(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await rl.question(`${question} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
  };
}
