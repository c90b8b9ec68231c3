import { createInterface } from 'node:readline/promises';
import { interrupted } from '../../util/errors.js';
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

/**
 * A line writer that outlives its reader: once the stream fails (EPIPE: `drctl ... | head -1` closed the
 * pipe) it stops writing to it, and nothing is thrown. A run goes on and is journaled as usual: the
 * journal (and the run log) are the record, not the terminal. The listener also covers anyone else
 * writing to the stream (commander's help, listr2).
 */
export function pipeSafeWriter(stream: NodeJS.WritableStream & { destroyed?: boolean }): (text: string) => void {
  let open = true;
  stream.on('error', () => {
    open = false;
  });
  return (text) => {
    if (!open || stream.destroyed === true) return;
    try {
      stream.write(text.endsWith('\n') ? text : `${text}\n`);
    } catch {
      open = false;
    }
  };
}

/** Decided once, in main.ts. */
export function createCliIO(flags: OutputFlags, env: NodeJS.ProcessEnv = process.env): CliIO {
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true && !env.CI;
  return {
    out: pipeSafeWriter(process.stdout),
    err: pipeSafeWriter(process.stderr),
    json: flags.json,
    interactive,
    color: { out: colorFor(process.stdout, flags.color, env), err: colorFor(process.stderr, flags.color, env) },
    async confirm(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await rl.question(`${question} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } catch (e) {
        // Ctrl+C at the prompt (readline rejects with an AbortError): an interrupt, not a bug; end of input: no
        if ((e as Error)?.name === 'AbortError' && /ctrl\+c/i.test((e as Error).message))
          throw interrupted('cancelled at the prompt (Ctrl+C): nothing was changed');
        return false;
      } finally {
        rl.close();
      }
    },
  };
}
