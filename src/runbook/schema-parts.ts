import { runbookProbeSchema } from '../probe/schema.js';
import { DURATION_PATTERN } from '../util/duration.js';
import { scheduleSchema } from './schema-schedule.js';

/** Building blocks of the runbook JSON Schema (draft 2020-12). Plain data. */
export const KEBAB_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';
export const PARAM_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*$';

export const duration = (description: string) => ({ type: 'string', pattern: DURATION_PATTERN, description }) as const;

export const isDurationPattern = (pattern: unknown): boolean => pattern === DURATION_PATTERN;

const text = (description: string) => ({ type: 'string', description }) as const;

export const paramSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    default: { description: 'Value used when none is passed with --set or --params.' },
    description: text('What the param means.'),
    required: { type: 'boolean', description: 'The run refuses to start without a value.' },
  },
} as const;

/** The runbook's probe: written once in the probe library (probe/schema.ts). */
export const probeSchema = runbookProbeSchema;

/**
 * Probe lists refer to one definition (`#/$defs/probe` of the runbook shape): with ajv's inlineRefs off,
 * the compiled validator checks every probe with one function instead of four inlined copies (the shape's
 * validator was 319 KB of code, 29 ms to compile at its first call: a tenth of a cold `drctl validate`).
 */
const probes = (description: string) => ({ type: 'array', items: { $ref: '#/$defs/probe' }, description }) as const;

/** spec.fault: what `rehearse` injects at t0 and always restores. */
const faultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  description:
    'The fault rehearse injects (t0) and always restores: a step kind whose apply injects and whose rollback restores (fault.freeze, fault.link, or exec/http driving a production chaos tool).',
  properties: {
    description: text('What the fault is, e.g. "cut Hangzhou".'),
    kind: text('The kind that injects and restores: fault.freeze, fault.link, exec, http, or a plug-in kind.'),
    with: { type: 'object', description: "The kind's params." },
    timeout: duration('Time limit to inject, and to restore (default 30s).'),
    detect: probes(
      'Probes that hold once the outage is seen; detection time = the first time one holds (detectWhen: all: the time the last one does). A redis probe with subscribe is sampled on each message (Sentinel +switch-master), not only at its interval.',
    ),
    detectWhen: {
      enum: ['any', 'all'],
      default: 'any',
      description:
        'any: detected when the first detect probe holds; all: when every one has held (e.g. Sentinel elected every cache group).',
    },
    lost: {
      oneOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
      ],
      description:
        "The data centers this fault cuts, or a city of spec.topology (its data centers): [hz-a, hz-b] or hz. The switch's steps do not wait on members there (ctx.lost). Default: what the fault kind says (fault.freeze: its dcs); give it for fault.link, exec and http faults. Names as they are: no ${…}.",
    },
    detectTimeout: duration('Give up when nothing detects the fault within this (default 30s).'),
    recoverTimeout: duration('After the switch, steady state must hold again within this (default 60s).'),
    params: { type: 'object', description: 'Param values used while rehearsing a real cut, e.g. { acceptDataLoss: true }.' },
  },
} as const;

export const stepSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind'],
  properties: {
    id: { type: 'string', pattern: KEBAB_PATTERN, description: 'Unique step id (kebab-case).' },
    kind: text('What the step acts on: exec, http, wait, gate, redis.failover, ...'),
    description: text('One line shown in plans and reports.'),
    needs: { type: 'array', items: { type: 'string' }, description: 'Steps that must finish first.' },
    with: { type: 'object', description: "The kind's params." },
    timeout: duration('Time limit for the step including verify (default 30s).'),
    retries: { type: 'integer', minimum: 0, description: 'Extra attempts after a retryable failure.' },
    retryBackoff: duration('First pause between attempts (doubles each time).'),
    budget: duration('Time this step should take; reported when exceeded.'),
    verifyInterval: duration('Poll interval while verifying.'),
    dc: {
      oneOf: [{ type: 'string' }, { type: 'array', minItems: 1, items: { type: 'string' } }],
      description:
        'The data center(s) this step needs: where its system lives (an API, a store, a socket). drctl assess judges the step impossible when one is lost; an exec, http or wait step without it is judged unknown.',
    },
  },
} as const;

/** spec.scenarios: the disasters this runbook answers (the catalog of recovery plans). */
const scenarioSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'lost'],
  properties: {
    name: {
      type: 'string',
      pattern: KEBAB_PATTERN,
      description: 'The disaster, e.g. hangzhou-down (kebab-case). Several runbooks may answer one scenario, one part of the estate each.',
    },
    description: text('What is lost, in words.'),
    lost: {
      oneOf: [{ type: 'string' }, { type: 'array', minItems: 1, items: { type: 'string' } }],
      description: 'The data centers lost, or a city of spec.topology (its data centers): [hz-a, hz-b] or hz.',
    },
    params: {
      type: 'object',
      description: 'Param values this disaster needs (e.g. { acceptDataLoss: true }): used by assess, inspect and rehearse --scenario.',
    },
  },
} as const;

export const specSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['steps'],
  properties: {
    params: {
      type: 'object',
      propertyNames: { pattern: PARAM_NAME_PATTERN },
      additionalProperties: paramSchema,
      description: 'Inputs read as ${params.NAME}; set with --set NAME=VALUE.',
    },
    budget: duration('RTO budget for the whole switch.'),
    concurrency: { type: 'integer', minimum: 1, default: 4, description: 'Independent steps run in parallel up to this limit.' },
    onFailure: { enum: ['stop', 'rollback'], default: 'stop', description: 'What to do when a step fails.' },
    lockScope: text('Runs sharing a lock scope never overlap (default: metadata.name).'),
    topology: text("The estate's topology file (relative to the runbook): scenario and step data-center names are checked against it."),
    scenarios: {
      type: 'array',
      items: scenarioSchema,
      description: 'The disasters this runbook answers: a name, the data centers (or city) lost, the params to use.',
    },
    defaults: {
      type: 'object',
      additionalProperties: false,
      description: 'Defaults for every step.',
      properties: {
        timeout: duration('Default step timeout (30s).'),
        retries: { type: 'integer', minimum: 0, description: 'Default retries (0).' },
        retryBackoff: duration('Default first backoff (500ms).'),
        verifyInterval: duration('Default verify poll interval.'),
      },
    },
    plugins: { type: 'array', items: { type: 'string' }, description: 'Plugin modules (paths relative to the runbook).' },
    readiness: probes('Read-only checks that must pass before any change.'),
    steadyState: probes('Probes that must hold before the fault and after the switch.'),
    fault: faultSchema,
    schedule: scheduleSchema,
    stopConditions: probes(
      'Probes watched during a rehearsal (each at its interval); a breach aborts it: the fault is restored and the switch failed back.',
    ),
    steps: { type: 'array', minItems: 1, items: stepSchema, description: 'The steps, a DAG through needs.' },
  },
} as const;

export const runbookShape = {
  $defs: { probe: probeSchema },
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'drctl/v1', description: 'Runbook format version.' },
    kind: { const: 'Runbook' },
    metadata: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', pattern: KEBAB_PATTERN, description: 'Runbook name (kebab-case); the default lock scope.' },
        description: text('What this runbook does.'),
      },
    },
    spec: specSchema,
  },
} as const;
