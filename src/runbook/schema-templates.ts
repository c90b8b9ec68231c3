type Schema = Readonly<Record<string, unknown>>;

/** A string that is exactly one `${...}` reference: stands for a value of any type until run time. */
export const TEMPLATE_STRING = { type: 'string', pattern: '^\\$\\{[^}]+\\}$', description: 'A ${...} reference, resolved at run time.' } as const;
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
  const out: Record<string, unknown> = { ...s };
  for (const key of CHILD_MAPS) {
    const map = s[key];
    if (map && typeof map === 'object') {
      out[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, allowTemplates(v)]));
    }
  }
  for (const key of CHILD_LISTS) if (Array.isArray(s[key])) out[key] = (s[key] as unknown[]).map(allowTemplates);
  for (const key of CHILD_SCHEMAS) if (s[key] !== undefined) out[key] = allowTemplates(s[key]);
  const types = Array.isArray(s['type']) ? (s['type'] as unknown[]) : s['type'] === undefined ? [] : [s['type']];
  const constrainedString = types.includes('string') && ('pattern' in s || 'enum' in s || 'const' in s || 'format' in s);
  const nonString = types.length > 0 && !types.includes('string');
  const valueSet = types.length === 0 && ('enum' in s || 'const' in s);
  if (!nonString && !constrainedString && !valueSet) return out;
  const description = s['description'];
  return { ...(typeof description === 'string' ? { description } : {}), anyOf: [out, nonString || valueSet ? TEMPLATE_STRING : ANY_TEMPLATE] };
}
