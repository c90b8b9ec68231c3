/**
 * The `${...}` reference language inside runbook strings:
 *   ${params.NAME}  ${env.NAME}  ${secret.NAME}  ${steps.ID.outputs.NAME}
 * `$${` is a literal `${`. Parsing is pure and shared by the static checks and runtime interpolation.
 */
export type RefTarget =
  | { readonly type: 'params'; readonly name: string }
  | { readonly type: 'env'; readonly name: string }
  | { readonly type: 'secret'; readonly name: string }
  | { readonly type: 'output'; readonly step: string; readonly name: string }
  | { readonly type: 'invalid'; readonly reason: string };

/** A reference found in a value: `raw` is the source text ("${params.cut}"), `path` the data path to the string. */
export type Ref = RefTarget & { readonly raw: string; readonly path: readonly (string | number)[] };

export type TemplatePart =
  { readonly type: 'text'; readonly text: string } | { readonly type: 'ref'; readonly raw: string; readonly target: RefTarget };

const NAME = '[A-Za-z_][A-Za-z0-9_-]*';
const SIMPLE_RE = new RegExp(`^(params|env|secret)\\.(${NAME})$`);
const OUTPUT_RE = new RegExp(`^steps\\.([a-z0-9][a-z0-9-]*)\\.outputs\\.(${NAME})$`);
const KNOWN = '${params.NAME}, ${env.NAME}, ${secret.NAME} or ${steps.ID.outputs.NAME}';

export const hasTemplate = (text: string): boolean => text.includes('${');

/** Split a string into literal text and references. */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${';
      i += 3;
    } else if (text.startsWith('${', i)) {
      const end = text.indexOf('}', i + 2);
      if (literal) parts.push({ type: 'text', text: literal });
      literal = '';
      if (end === -1) {
        parts.push({ type: 'ref', raw: text.slice(i), target: { type: 'invalid', reason: 'unterminated reference: missing "}"' } });
        return parts;
      }
      const raw = text.slice(i, end + 1);
      parts.push({ type: 'ref', raw, target: parseRefBody(raw.slice(2, -1).trim()) });
      i = end + 1;
    } else {
      literal += text[i];
      i += 1;
    }
  }
  if (literal) parts.push({ type: 'text', text: literal });
  return parts;
}

function parseRefBody(body: string): RefTarget {
  const simple = SIMPLE_RE.exec(body);
  if (simple) return { type: simple[1] as 'params' | 'env' | 'secret', name: simple[2] ?? '' };
  const output = OUTPUT_RE.exec(body);
  if (output) return { type: 'output', step: output[1] ?? '', name: output[2] ?? '' };
  const root = body.split('.')[0] ?? '';
  const reason = ['params', 'env', 'secret', 'steps'].includes(root)
    ? `malformed reference "\${${body}}": use ${KNOWN}`
    : `unknown reference root "${root}" in "\${${body}}": use ${KNOWN}`;
  return { type: 'invalid', reason };
}

/** Every reference inside a value (strings inside arrays and maps, recursively), with its data path. */
export function collectReferences(value: unknown, path: readonly (string | number)[] = []): Ref[] {
  if (typeof value === 'string') {
    if (!hasTemplate(value)) return [];
    return parseTemplate(value).flatMap((p) => (p.type === 'ref' ? [{ ...p.target, raw: p.raw, path }] : []));
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => collectReferences(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => collectReferences(v, [...path, k]));
  }
  return [];
}
