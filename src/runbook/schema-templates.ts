type Schema = Readonly<Record<string, unknown>>;

/** A string that is exactly one `${...}` reference: stands for a value of any type until run time. */
export const TEMPLATE_STRING = {
  type: 'string',
  pattern: '^\\$\\{[^}]+\\}$',
  description: 'A ${...} reference, resolved at run time.',
} as const;
const ANY_TEMPLATE = { type: 'string', pattern: '\\$\\{' } as const;

const CHILD_MAPS = ['properties', 'patternProperties', '$defs'] as const;
const CHILD_LISTS = ['prefixItems', 'oneOf', 'anyOf', 'allOf'] as const;
const CHILD_SCHEMAS = ['items', 'additionalProperties', 'then', 'else'] as const;

/**
 * For the exported (editor) schema: let `${...}` stand in wherever a kind's params schema wants a
 * non-string (a whole reference keeps the value's type) or a constrained string (pattern/enum/const).
 * Validation inside drctl does the same by dropping such errors instead.
 */
export function allowTemplates(schema: unknown): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const s = schema as Schema;
  const out = withTemplatesInside(s);
  // a oneOf's branches keep their own roots: a template alternative on each would make one `${...}`
  // match several branches, which oneOf refuses; the alternative goes on the oneOf as a whole
  const branchWants = Array.isArray(s['oneOf']) && (s['oneOf'] as unknown[]).some((b) => wantsTemplate(b as Schema));
  if (!wantsTemplate(s) && !branchWants) return out;
  const description = s['description'];
  const alternative = wantsTemplate(s) && !isConstrainedString(s) ? TEMPLATE_STRING : ANY_TEMPLATE;
  return {
    ...(typeof description === 'string' ? { description } : {}),
    anyOf: [out, branchWants && !wantsTemplate(s) ? TEMPLATE_STRING : alternative],
  };
}

/** The schema with templates allowed in its children (a oneOf's branches: inside them, not at their roots). */
function withTemplatesInside(s: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = { ...s };
  for (const key of CHILD_MAPS) {
    const map = s[key];
    if (map && typeof map === 'object') {
      out[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, allowTemplates(v)]));
    }
  }
  for (const key of CHILD_LISTS) {
    if (!Array.isArray(s[key])) continue;
    out[key] = (s[key] as unknown[]).map((b) =>
      key === 'oneOf' && b !== null && typeof b === 'object' && !Array.isArray(b) ? withTemplatesInside(b as Schema) : allowTemplates(b),
    );
  }
  for (const key of CHILD_SCHEMAS) if (s[key] !== undefined) out[key] = allowTemplates(s[key]);
  return out;
}

const typesOf = (s: Schema): unknown[] =>
  Array.isArray(s['type']) ? (s['type'] as unknown[]) : s['type'] === undefined ? [] : [s['type']];
const isConstrainedString = (s: Schema): boolean =>
  typesOf(s).includes('string') && ('pattern' in s || 'enum' in s || 'const' in s || 'format' in s);

/** A non-string, a constrained string or a value set: a `${...}` would not pass it as it is. */
function wantsTemplate(s: Schema): boolean {
  if (s === null || typeof s !== 'object') return false;
  const types = typesOf(s);
  const nonString = types.length > 0 && !types.includes('string');
  const valueSet = types.length === 0 && ('enum' in s || 'const' in s);
  return nonString || isConstrainedString(s) || valueSet;
}
