// A step kind that does nothing, in-process: the scale benchmark measures drctl's own cost per step
// (validate, plan, the engine's step life, journal and renderers) with no command or server in the way.
// Every step goes through the whole life: observe (not done) → decide (change) → apply → verify (holds).
export const apiVersion = 1;

const NOT_DONE = Object.freeze({ done: false });
const DONE = Object.freeze({ done: true });
const HOLDS = Object.freeze({ ok: true });

export const kinds = [
  {
    name: 'bench.noop',
    description: 'Benchmark no-op: observe says not done, apply does nothing, verify holds at once.',
    paramsSchema: { type: 'object' },
    outputNames: [],
    async observe() {
      return NOT_DONE;
    },
    decide() {
      return { action: 'change', desired: DONE };
    },
    async apply() {},
    holds() {
      return HOLDS;
    },
    async rollback() {},
    describe() {
      return 'no-op';
    },
  },
];
