import { createKindRegistry, type KindRegistry } from '../../../src/kinds/registry.js';
import type { AnyKind, JsonSchema } from '../../../src/model/kind.js';

/** Fake kinds for validation tests (named as such): real shapes, no-op life. */
function fakeKind(name: string, paramsSchema: JsonSchema, extra: Partial<AnyKind> = {}): AnyKind {
  return {
    name,
    description: `fake ${name}`,
    paramsSchema,
    observe: async () => ({}),
    decide: () => ({ action: 'noop' }),
    apply: async () => undefined,
    holds: () => ({ ok: true }),
    describe: () => name,
    ...extra,
  };
}

const str = { type: 'string' } as const;

export const FAKE_KINDS: readonly AnyKind[] = [
  fakeKind(
    'exec',
    {
      type: 'object',
      additionalProperties: false,
      required: ['cmd'],
      properties: { cmd: { type: 'array', minItems: 1, items: str }, cwd: str, retriesInside: { type: 'integer' } },
    },
    { outputNames: ['stdout', 'exitCode'] },
  ),
  fakeKind(
    'wait',
    {
      type: 'object',
      additionalProperties: false,
      properties: { duration: str, interval: str },
      oneOf: [{ required: ['duration'] }, { required: ['until'] }],
    },
    {
      check: (p: { duration?: string }) =>
        p.duration !== undefined && !p.duration.includes('${') && !/^\d+(ms|s|m)$/.test(p.duration)
          ? [{ path: ['duration'], message: `bad duration "${p.duration}": use e.g. 500ms, 30s, 1m30s` }]
          : [],
    },
  ),
  fakeKind(
    'redis.failover',
    {
      type: 'object',
      additionalProperties: false,
      required: ['master', 'to'],
      properties: { master: str, to: str, sentinels: { type: 'array', items: str } },
    },
    { outputNames: ['master', 'previous'] },
  ),
  fakeKind('rules.flip', {
    type: 'object',
    additionalProperties: false,
    required: ['cut'],
    properties: { cut: { type: 'array', items: str }, store: str },
  }),
  fakeKind('gate', { type: 'object', additionalProperties: false, properties: { question: str } }, { reversible: () => false }),
];

export const fakeRegistry = (): KindRegistry => createKindRegistry(FAKE_KINDS);
