import { DURATION_PATTERN } from '../util/duration.js';

/**
 * The probe JSON Schemas, written once: the runbook's probes (readiness, steady state, stop conditions,
 * detection: exec, http, redis or sql with run properties) and the smaller probe that kinds take in
 * `with:` (wait.until, rules.flip catchUp: the same four without run properties or subscribe), plus the
 * request and expectation parts the http and exec kinds share.
 */
const text = (description: string) => ({ type: 'string', description }) as const;
/** "has this key" as a subschema that passes ajv's strictRequired (the key is declared where it is required). */
const has = <K extends string>(key: K) => ({ required: [key], properties: { [key]: {} } as Record<K, object> }) as const;
const rangeSchema = {
  type: 'array',
  minItems: 2,
  maxItems: 2,
  items: { type: 'number' },
  description: 'Inclusive numeric range [lo, hi].',
} as const;

/** A command as argv (never a shell). */
const execArgvSchema = {
  type: 'array',
  minItems: 1,
  items: { type: ['string', 'number', 'boolean'] },
  description: 'Command as argv (never a shell).',
} as const;

const httpRequestProperties = {
  url: text('URL to request.'),
  method: text('HTTP method (default GET).'),
  headers: { type: 'object', additionalProperties: { type: ['string', 'number'] }, description: 'Request headers.' },
  body: text('Request body text.'),
  json: { description: 'Request body sent as JSON.' },
} as const;

const httpProbeRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  description: 'HTTP request to send.',
  properties: httpRequestProperties,
} as const;

export const httpExpectSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'array', items: { type: 'integer' }, description: 'Accepted status codes (default 2xx).' },
    bodyMatches: { type: 'string', description: 'Regular expression the body must match.' },
    json: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path'],
        properties: {
          path: { type: 'string', description: 'JSON path, e.g. $.role' },
          equals: {},
          matches: { type: 'string' },
          in: { type: 'array' },
          range: rangeSchema,
        },
      },
    },
  },
} as const;

/** The http kind's request: the probe's request plus its expectation. */
export const httpRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: { ...httpRequestProperties, expect: httpExpectSchema },
} as const;

export const execExpectSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'When the command counts as done / holding: every given test must pass (default: exit code 0).',
  properties: {
    exitCode: { type: 'array', items: { type: 'integer' }, description: 'Accepted exit codes (default [0]).' },
    stdoutMatches: { type: 'string', description: 'Regular expression the output must match.' },
    stdoutEquals: { type: 'string', description: 'The exact output (trimmed).' },
    range: { ...rangeSchema, description: 'The output (trimmed) as a number within [lo, hi].' },
  },
} as const;

/** What a redis or sql probe's reply must look like. */
const toleranceSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'What the reply must look like (every given test must pass).',
  properties: {
    path: text('JSON path into the reply first, e.g. [0] for ROLE, [0].role for SQL rows.'),
    equals: { description: 'Exact value (5 equals "5").' },
    range: rangeSchema,
    in: { type: 'array', description: 'One of these values.' },
    matches: text('Regular expression the value must match.'),
  },
} as const;

/** One Redis command, in-process (the runbook's probes add `subscribe`). */
const redisSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['addr', 'command'],
  description: 'One Redis command (in-process client, strict timeouts, no retry).',
  properties: {
    addr: text('host:port'),
    command: { type: 'array', minItems: 1, items: { type: ['string', 'number'] }, description: 'e.g. [ROLE] or [GET, key].' },
    password: text('AUTH password (use ${secrets.NAME}).'),
    master: {
      type: 'string',
      minLength: 1,
      description:
        "A Sentinel master name: addr is then a sentinel, and the command goes to the master it names (SENTINEL get-master-addr-by-name), as a Sentinel client resolves it: the clients' view, not the sentinel's own bookkeeping. `password` is the master's.",
    },
    sentinelPassword: text('AUTH password of the sentinel at addr (with master; use ${secrets.NAME}).'),
  },
  dependentRequired: { sentinelPassword: ['master'] },
} as const;

const subscribeSchema = {
  oneOf: [{ type: 'string' }, { type: 'array', minItems: 1, items: { type: 'string' } }],
  description:
    "Pub/sub channels (or patterns, with * ? [) on the same server: each message samples the probe at once (fault.detect: Sentinel's +switch-master, a keyspace event), the interval stays as a fallback.",
} as const;

/** One read-only PostgreSQL query, in-process. */
const sqlSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['host', 'port', 'user', 'query'],
  description: 'One read-only PostgreSQL query (in-process client: connect, query and statement bounded by the timeout).',
  properties: {
    host: text('Server host.'),
    port: { type: ['integer', 'string'], description: 'Server port.' },
    user: text('Role to connect as.'),
    database: text('Database (default postgres).'),
    password: text('Password (use ${secrets.NAME}).'),
    query: {
      oneOf: [{ type: 'string' }, { type: 'array', minItems: 1, items: { type: 'string' } }],
      description:
        'Query, or a list of its lines (joined with line breaks: a long query stays readable in a runbook); without expect.path the value is the first column of the first row.',
    },
    args: {
      type: 'array',
      items: { type: ['string', 'number', 'boolean', 'null'] },
      description:
        "Bind values for the query's $1, $2…, sent apart from its text: put ${params.X} here, never inside the query (a value with a quote cannot change the query).",
    },
  },
} as const;

/** A probe in a kind's `with:` (wait.until, rules.flip catchUp): exactly one of exec, http, redis or sql. */
export const probeSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    exec: execArgvSchema,
    http: httpProbeRequestSchema,
    redis: redisSpecSchema,
    sql: sqlSpecSchema,
    expect: { type: 'object' },
    timeout: { type: 'string' },
  },
  oneOf: [has('exec'), has('http'), has('redis'), has('sql')],
  allOf: [
    { if: has('redis'), then: { properties: { expect: toleranceSchema } } },
    { if: has('sql'), then: { properties: { expect: toleranceSchema } } },
  ],
} as const;

const duration = (description: string) => ({ type: 'string', pattern: DURATION_PATTERN, description }) as const;

/** A runbook probe (readiness, steadyState, stopConditions, fault.detect): exactly one of exec, http, redis or sql. */
export const runbookProbeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  description: 'A read-only check: exactly one of exec, http, redis or sql.',
  properties: {
    name: text('Shown in output and reports.'),
    description: text('What the probe checks.'),
    timeout: duration('Time limit for one probe attempt (default 5s).'),
    interval: duration('Pause between samples (default 500ms).'),
    successThreshold: { type: 'integer', minimum: 1, description: 'Consecutive successes needed (default 1).' },
    failureThreshold: { type: 'integer', minimum: 1, description: 'Consecutive failures needed to fail / breach (default 1).' },
    errorCountsAsFailure: { type: 'boolean', description: 'Does no answer (unreachable, timeout) count as a failure? (default true)' },
    exec: execArgvSchema,
    http: httpProbeRequestSchema,
    redis: { ...redisSpecSchema, properties: { ...redisSpecSchema.properties, subscribe: subscribeSchema } },
    sql: sqlSpecSchema,
    expect: { type: 'object', description: 'What the result must look like.' },
  },
  oneOf: [has('exec'), has('http'), has('redis'), has('sql')],
  allOf: [
    { if: has('exec'), then: { properties: { expect: execExpectSchema } } },
    { if: has('http'), then: { properties: { expect: httpExpectSchema } } },
    { if: has('redis'), then: { properties: { expect: toleranceSchema } } },
    { if: has('sql'), then: { properties: { expect: toleranceSchema } } },
  ],
} as const;
