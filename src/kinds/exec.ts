import path from 'node:path';
import { tail } from '../infra/exec.js';
import { defineKind } from './define-kind.js';
import { toArgv } from '../probe/argv.js';
import { checkExec, type ExecExpectation } from '../probe/expect.js';
import { execExpectSchema } from '../probe/schema.js';
import { HOLDS, notYet, stepError, type KindContext } from '../model/kind.js';

interface ExecParams {
  /** Read-only command saying whether the step is already done (exit code / output). */
  readonly observe?: { readonly cmd: readonly unknown[]; readonly doneWhen?: ExecExpectation };
  readonly apply: readonly unknown[];
  readonly rollback?: readonly unknown[];
  readonly env?: Readonly<Record<string, unknown>>;
  readonly cwd?: string;
}

/** done: null when there is no observe command (the step cannot tell, so it always applies). */
interface ExecState {
  readonly done: boolean | null;
  readonly stdout?: string;
  readonly exitCode?: number | null;
}

const argvSchema = {
  type: 'array',
  minItems: 1,
  items: { type: ['string', 'number', 'boolean'] },
  description: 'Command as argv: [program, arg1, ...]. Never run through a shell.',
};

export const execKind = defineKind<ExecParams, ExecState>({
  name: 'exec',
  description: 'Run commands (argv, never a shell): observe says whether it is done, apply does it, rollback undoes it.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['apply'],
    properties: {
      observe: {
        type: 'object',
        additionalProperties: false,
        required: ['cmd'],
        description: 'Read-only check: the step is already done when this command meets doneWhen (default: exit code 0).',
        properties: {
          cmd: argvSchema,
          doneWhen: execExpectSchema,
        },
      },
      apply: argvSchema,
      rollback: argvSchema,
      env: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
      cwd: { type: 'string', description: 'Working directory, relative to the runbook.' },
    },
  },
  outputNames: ['stdout', 'exitCode'],
  async observe(p, ctx) {
    if (!p.observe) return { done: null };
    const r = await run(p, p.observe.cmd, ctx);
    if (r.spawnError) throw stepError(`observe: ${r.spawnError}`, { retryable: false });
    if (r.timedOut) throw stepError(`observe: ${show(p.observe.cmd)} timed out`);
    // a command stopped by the step's signal observed nothing (its exit code is the kill's, not an answer)
    if (r.cancelled) throw stepError(`observe: ${show(p.observe.cmd)} cancelled`);
    const held = checkExec(p.observe.doneWhen, r.exitCode, r.stdout);
    return { done: held.ok, stdout: r.stdout, exitCode: r.exitCode ?? null };
  },
  decide(_p, current) {
    return current.done === true ? { action: 'noop', reason: 'already done' } : { action: 'change', desired: { done: true } };
  },
  async apply(p, _change, ctx) {
    await mustSucceed(p, p.apply, 'apply', ctx);
  },
  holds(_p, desired, current) {
    if (current.done === null || current.done === desired.done) return HOLDS;
    return notYet(desired.done ? 'observe still says not done' : 'observe still says done');
  },
  async rollback(p, _change, ctx) {
    if (!p.rollback) throw stepError('no rollback command', { retryable: false });
    await mustSucceed(p, p.rollback, 'rollback', ctx);
  },
  reversible: (p) => p.rollback !== undefined,
  observable: (p) => p.observe !== undefined,
  describe(p, before, after) {
    if (before.done === true && after !== undefined && after.done !== true) return `undo: run ${show(p.rollback ?? [])}`;
    if (before.done === true) return `already done (${show(p.observe?.cmd ?? [])})`;
    return `run ${show(p.apply)}`;
  },
  describeUndo: (p) => `undo: run ${show(p.rollback ?? [])}`,
  outputs: (_p, s) => ({ stdout: s.stdout ?? '', exitCode: s.exitCode ?? null }),
});

function run(p: ExecParams, argv: readonly unknown[], ctx: KindContext) {
  const env = p.env ? Object.fromEntries(Object.entries(p.env).map(([k, v]) => [k, toArgv([v])[0] ?? ''])) : undefined;
  return ctx.exec(toArgv(argv), { cwd: path.resolve(ctx.baseDir, p.cwd ?? '.'), env });
}

async function mustSucceed(p: ExecParams, argv: readonly unknown[], phase: string, ctx: KindContext): Promise<void> {
  const r = await run(p, argv, ctx);
  if (r.spawnError) throw stepError(`${phase}: ${r.spawnError}`, { retryable: false, unchanged: true });
  if (r.cancelled) throw stepError(`${phase}: ${show(argv)} cancelled`);
  if (r.timedOut) throw stepError(`${phase}: ${show(argv)} timed out`);
  if (r.exitCode !== 0) {
    const out = tail(r.stderr || r.stdout);
    throw stepError(`${phase}: ${show(argv)} exited with code ${r.exitCode ?? 'none'}${out ? `: ${out}` : ''}`);
  }
}

/** argv for messages: secrets print as ***. */
const show = (argv: readonly unknown[]): string => argv.map((a) => String(a)).join(' ');
