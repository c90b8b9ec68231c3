type Schema = Readonly<Record<string, unknown>>;
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keywords that apply to one JSON type only (ajv's strictTypes wants each beside its type). */
const FOR_TYPE: Readonly<Record<string, readonly string[]>> = {
  string: ['pattern', 'minLength', 'maxLength', 'format'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  array: ['items', 'prefixItems', 'minItems', 'maxItems', 'uniqueItems', 'contains'],
  object: ['properties', 'required', 'additionalProperties', 'patternProperties', 'propertyNames', 'minProperties', 'maxProperties'],
};
const TYPED = new Set(Object.values(FOR_TYPE).flat());

/**
 * The published (editor) form of a schema: a union `type: [a, b]` becomes `anyOf: [{type: a}, {type: b}]`
 * with each type-specific keyword beside its own type, so the file passes ajv's strict mode (strictTypes
 * without allowUnionTypes). drctl's own validators keep the compact form (same meaning).
 */
export function strictForm(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictForm);
  if (!isSchema(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] =
      k === 'properties' || k === 'patternProperties' || k === '$defs'
        ? isSchema(v)
          ? Object.fromEntries(Object.entries(v).map(([n, x]) => [n, strictForm(x)]))
          : v
        : k === 'enum' || k === 'const' || k === 'examples' || k === 'default' || k === 'required'
          ? v
          : strictForm(v);
  }
  const types = out['type'];
  if (!Array.isArray(types)) return out;
  const branches = (types as string[]).map((t) => {
    const own = FOR_TYPE[t] ?? [];
    return { type: t, ...Object.fromEntries(Object.entries(out).filter(([k]) => own.includes(k))) };
  });
  const rest = Object.fromEntries(Object.entries(out).filter(([k]) => k !== 'type' && !TYPED.has(k)));
  return { ...rest, anyOf: branches };
}
