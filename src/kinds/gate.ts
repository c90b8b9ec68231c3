import { defineKind } from './define-kind.js';
import { HOLDS, stepError } from '../model/kind.js';

interface GateParams {
  readonly message: string;
}

interface GateState {
  readonly approved: boolean;
}

/**
 * A manual approval. On a terminal it asks; without one it passes only when the step id was given to
 * --approve, and otherwise fails closed at once: it never waits for input nobody can give.
 */
export const gateKind = defineKind<GateParams, GateState>({
  name: 'gate',
  description: 'Manual approval: asks on a terminal; unattended it passes only with --approve STEP_ID, else fails closed.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['message'],
    properties: { message: { type: 'string', description: 'The question shown to the operator.' } },
  },
  async observe() {
    return { approved: false };
  },
  decide() {
    return { action: 'change', desired: { approved: true } };
  },
  async apply(p, _change, ctx) {
    if (!(await ctx.approve(p.message))) {
      throw stepError(`gate "${ctx.stepId}" not approved: ${p.message} (unattended runs pass a gate with --approve ${ctx.stepId})`, {
        retryable: false,
      });
    }
  },
  holds: () => HOLDS,
  // An approval changes nothing in the estate: rolling it back is a no-op.
  async rollback() {},
  changesNothing: true,
  describe: (p) => `approval: ${p.message}`,
});
