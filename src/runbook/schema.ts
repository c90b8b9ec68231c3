import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { KindRegistry } from '../kinds/registry.js';
import type { JsonSchema } from '../model/kind.js';
import { runbookShape, specSchema, stepSchema } from './schema-parts.js';
import { allowTemplates } from './schema-templates.js';
import { strictForm } from './schema-strict.js';
import { AJV_OPTIONS, loadCompiledValidators, META_KEY, schemaKey } from './schema-compiled.js';

export const RUNBOOK_SCHEMA_ID = 'https://drctl.dev/schema/runbook-v1.json';

/**
 * The runbook JSON Schema for editors and `drctl schema`: the shape plus, per kind of the registry,
 * `if kind == NAME then with: <paramsSchema>` so editors complete each kind's params.
 */
export function buildRunbookJsonSchema(registry: KindRegistry): JsonSchema {
  const kinds = registry.names().flatMap((name) => {
    const kind = registry.get(name);
    return kind ? [{ name, kind }] : [];
  });
  const kindValue = kindValueSchema(kinds.map(({ name, kind }) => ({ name, description: kind.description })));
  const step = {
    ...stepSchema,
    properties: { ...stepSchema.properties, kind: { ...kindValue, description: stepSchema.properties.kind.description } },
    allOf: kinds.map(({ name, kind }) => ({
      if: { properties: { kind: { const: name } }, required: ['kind'] },
      then: {
        properties: {
          with: { ...(allowTemplates(kind.paramsSchema) as JsonSchema), title: `${name} parameters`, description: kind.description },
        },
      },
    })),
  };
  const fault = specSchema.properties.fault;
  return strictForm(
    withTitles({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: RUNBOOK_SCHEMA_ID,
      title: 'drctl runbook',
      description: 'A data-center failover as ordered, idempotent steps (apiVersion drctl/v1).',
      ...runbookShape,
      properties: {
        ...runbookShape.properties,
        spec: {
          ...specSchema,
          properties: {
            ...specSchema.properties,
            steps: { ...specSchema.properties.steps, items: step },
            fault: {
              ...fault,
              properties: { ...fault.properties, kind: { ...kindValue, description: fault.properties.kind.description } },
            },
          },
        },
      },
    }),
  ) as JsonSchema;
}

/**
 * `kind:` in the editor: one of the built-in kinds (each completed with its description), or a plug-in
 * kind's name. Plug-in names are dotted (`acme.toggle`) and outside the built-in namespaces, so a typo of a
 * built-in kind (`exce`, `redis.failovr`) gets a diagnostic in the editor; `drctl validate` checks every
 * name against the kinds really loaded (with a did-you-mean).
 */
export function kindValueSchema(kinds: readonly { readonly name: string; readonly description: string }[]): JsonSchema {
  const namespaces = [...new Set(kinds.map((k) => k.name.split('.')[0] ?? k.name))].sort();
  return {
    anyOf: [
      ...kinds.map((k) => ({ const: k.name, title: k.name, description: k.description })),
      {
        type: 'string',
        pattern: PLUGIN_KIND_PATTERN(namespaces),
        title: 'a plug-in kind',
        description: `A kind from a plug-in module (spec.plugins or --plugin): a dotted name outside the built-in namespaces (${namespaces.join(', ')}), e.g. acme.toggle.`,
      },
    ],
  };
}

const PLUGIN_KIND_PATTERN = (namespaces: readonly string[]): string =>
  `^(?!(?:${namespaces.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\.)[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$`;

/** Every property gets a title (its key) where it has none: an editor's hover heading names the field, not the file. */
function withTitles(schema: unknown, key?: string): unknown {
  if (Array.isArray(schema)) return schema.map((x) => withTitles(x));
  if (schema === null || typeof schema !== 'object') return schema;
  const s = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object')
      out[k] = Object.fromEntries(Object.entries(v).map(([n, x]) => [n, withTitles(x, n)]));
    else if (k === 'enum' || k === 'const' || k === 'examples' || k === 'default' || k === 'required') out[k] = v;
    else out[k] = withTitles(v);
  }
  if (key !== undefined && out['title'] === undefined && Object.keys(out).length > 0) out['title'] = key;
  return out;
}

/** Validation outcome in ajv's raw form; schema-errors.ts turns it into Diagnostics. */
export type SchemaErrors = readonly ErrorObject[];

// Validators compiled at build time (schema-compiled.ts); anything else is compiled here, with ajv
// loaded only then (most starts never need it).
const compiled = await loadCompiledValidators();
let ajv: Ajv2020 | undefined;
const compile = (schema: JsonSchema): ValidateFunction => {
  const found = compiled.get(schemaKey(schema));
  if (found) return found;
  // a schema is checked against the meta-schema first: with the meta-schema's validator compiled at build
  // time, here (ajv would compile the meta-schema itself at its first use: 60 ms)
  const meta = compiled.get(META_KEY);
  ajv ??= new (createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).Ajv2020({
    ...AJV_OPTIONS,
    validateSchema: meta === undefined,
  });
  if (meta && !meta(schema)) throw new Error(`schema is invalid: ${ajv.errorsText(meta.errors)}`);
  return ajv.compile(schema);
};
let shapeValidator: ValidateFunction | undefined;
const paramsValidators = new WeakMap<object, ValidateFunction>();

/** Validate the runbook's shape (step `with:` blocks are only checked to be maps here). */
export function validateShape(data: unknown): SchemaErrors {
  shapeValidator ??= compile(runbookShape);
  return shapeValidator(data) ? [] : [...(shapeValidator.errors ?? [])];
}

/** Validate a `with:` block directly against its kind's params schema. Throws when the schema itself is broken. */
export function validateParams(schema: JsonSchema, params: unknown): SchemaErrors {
  let validate = paramsValidators.get(schema);
  if (!validate) {
    validate = compile(schema);
    paramsValidators.set(schema, validate);
  }
  return validate(params) ? [] : [...(validate.errors ?? [])];
}
