/**
 * Read a value at a small JSONPath subset: `$.a.b[0].c`, `a.b.0`, `$['a-b']`. Returns undefined when
 * any segment is missing.
 */
export function readJsonPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const segment of parseJsonPath(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

const SEGMENT_RE = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g;

export function parseJsonPath(path: string): string[] {
  const normalized = path.startsWith('$') ? path.slice(1) : path.startsWith('.') || path.startsWith('[') ? path : `.${path}`;
  const segments: string[] = [];
  let consumed = 0;
  for (const m of normalized.matchAll(SEGMENT_RE)) {
    if (m.index !== consumed) throw new Error(`bad JSON path "${path}"`);
    segments.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
    consumed = m.index + m[0].length;
  }
  if (consumed !== normalized.length) throw new Error(`bad JSON path "${path}"`);
  return segments;
}
