import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { KindRegistry } from '../kinds/registry.js';
import type { JsonSchema } from '../model/kind.js';
import { runbookShape, specSchema, stepSchema } from './schema-parts.js';
import { allowTemplates } from './schema-templates.js';
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
  const step = {
    ...stepSchema,
    properties: {
      ...stepSchema.properties,
      kind: { ...stepSchema.properties.kind, examples: kinds.map((k) => k.name) },
    },
    allOf: kinds.map(({ name, kind }) => ({
      if: { properties: { kind: { const: name } }, required: ['kind'] },
      then: { properties: { with: { ...(allowTemplates(kind.paramsSchema) as JsonSchema), description: kind.description } } },
    })),
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: RUNBOOK_SCHEMA_ID,
    title: 'drctl runbook',
    description: 'A data-center failover as ordered, idempotent steps (apiVersion drctl/v1).',
    ...runbookShape,
    properties: {
      ...runbookShape.properties,
      spec: { ...specSchema, properties: { ...specSchema.properties, steps: { ...specSchema.properties.steps, items: step } } },
    },
  };
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
  ajv ??= new (createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).Ajv2020({ ...AJV_OPTIONS, validateSchema: meta === undefined });
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
