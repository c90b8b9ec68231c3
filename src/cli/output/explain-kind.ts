import type { JsonSchema } from '../../model/kind.js';

type Schema = Readonly<Record<string, unknown>>;
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One parameter of a kind, flattened from its params schema: `with.observe.cmd`, its type, whether required, its description. */
export interface ParamDoc {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly description: string | undefined;
}

/** A short type for a schema node: "string", "string[]", "integer ≥ 0", "one of: a|b", "duration", "map". */
export function typeOf(s: Schema): string {
  if (Array.isArray(s['enum'])) return `one of: ${(s['enum'] as unknown[]).map(String).join('|')}`;
  if (s['const'] !== undefined) return JSON.stringify(s['const']);
  const branches = (s['oneOf'] ?? s['anyOf']) as unknown;
  if (Array.isArray(branches)) return [...new Set(branches.filter(isSchema).map(typeOf))].join(' | ');
  const t = s['type'];
  const types = Array.isArray(t) ? (t as string[]) : typeof t === 'string' ? [t] : [];
  if (types.includes('array')) {
    const item = isSchema(s['items']) ? typeOf(s['items']) : 'any';
    return `${item.includes(' ') ? `(${item})` : item}[]`;
  }
  if (types.includes('string') && typeof s['pattern'] === 'string' && /ms\|s\|m\|h|\(ms\|s\|m\|h\)/.test(s['pattern'])) return 'duration';
  if (types.includes('integer') && typeof s['minimum'] === 'number') return `integer ≥ ${s['minimum']}`;
  if (types.includes('object')) return isSchema(s['properties']) ? 'map' : 'map of values';
  return types.length > 0 ? types.join(' | ') : 'any';
}

/** Every parameter of a params schema, depth first (nested maps under their parent: `observe.cmd`). */
export function paramDocs(schema: JsonSchema, prefix = ''): ParamDoc[] {
  const props = isSchema(schema['properties']) ? (schema['properties'] as Readonly<Record<string, unknown>>) : {};
  const required = new Set(Array.isArray(schema['required']) ? (schema['required'] as string[]) : []);
  const out: ParamDoc[] = [];
  for (const [name, value] of Object.entries(props)) {
    if (!isSchema(value)) continue;
    const path = `${prefix}${name}`;
    const description = typeof value['description'] === 'string' ? value['description'] : undefined;
    out.push({ path, type: typeOf(value), required: required.has(name), description });
    if (isSchema(value['properties'])) out.push(...paramDocs(value, `${path}.`));
  }
  return out;
}

/** The human text of `drctl explain KIND`. */
export function renderExplain(name: string, description: string, schema: JsonSchema, outputs: readonly string[]): string {
  const docs = paramDocs(schema);
  const lines = [`KIND: ${name}`, '', description, '', 'PARAMETERS (under with:):'];
  if (docs.length === 0) lines.push('  (none)');
  const labelOf = (d: ParamDoc): string => `${'  '.repeat(d.path.split('.').length - 1)}${d.path.split('.').at(-1) ?? d.path}`;
  const width = Math.min(28, Math.max(0, ...docs.map((d) => labelOf(d).length)));
  for (const d of docs) {
    const label = labelOf(d);
    lines.push(`  ${label.padEnd(width)}  ${d.type}${d.required ? ' (required)' : ''}`);
    if (d.description) lines.push(`  ${' '.repeat(width)}    ${d.description}`);
  }
  if (outputs.length > 0) lines.push('', `OUTPUTS: ${outputs.map((o) => `\${steps.ID.outputs.${o}}`).join(', ')}`);
  return lines.join('\n');
}
