/** JSON Schemas shared by kinds that take requests and probes. */
const rangeSchema = { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number' }, description: 'Inclusive numeric range [lo, hi].' } as const;

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
        properties: { path: { type: 'string', description: 'JSON path, e.g. $.role' }, equals: {}, matches: { type: 'string' }, in: { type: 'array' }, range: rangeSchema },
      },
    },
  },
} as const;

export const httpRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string' },
    method: { type: 'string' },
    headers: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
    body: { type: 'string' },
    json: {},
    expect: httpExpectSchema,
  },
} as const;

export const execExpectSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    exitCode: { type: 'array', items: { type: 'integer' } },
    stdoutMatches: { type: 'string' },
    stdoutEquals: { type: 'string' },
    range: { ...rangeSchema, description: 'The output (trimmed) as a number within [lo, hi].' },
  },
} as const;

/** A probe in `with:` (wait.until): exactly one of exec / http. */
export const probeSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    exec: { type: 'array', minItems: 1, items: { type: ['string', 'number', 'boolean'] } },
    http: { type: 'object', additionalProperties: false, required: ['url'], properties: { url: { type: 'string' }, method: { type: 'string' }, headers: { type: 'object' }, body: { type: 'string' }, json: {} } },
    expect: { type: 'object' },
    timeout: { type: 'string' },
  },
  oneOf: [{ required: ['exec'] }, { required: ['http'] }],
} as const;
