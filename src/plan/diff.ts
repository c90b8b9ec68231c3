/** One line of a state diff: a field path and its value before and as desired. */
export interface DiffLine {
  readonly path: string;
  /** '~' changed, '+' added, '-' removed, ' ' unchanged (context). */
  readonly op: '~' | '+' | '-' | ' ';
  readonly before?: unknown;
  readonly after?: unknown;
}

const isMap = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaf values by dotted path (`servers.hz-a-1.state`; list items as `[0]`); a scalar at the root is ''. */
function flatten(v: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (isMap(v) && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix === '' ? k : `${prefix}.${k}`, out);
  } else if (Array.isArray(v) && v.length > 0 && v.some((x) => isMap(x) || Array.isArray(x))) {
    v.forEach((x, i) => flatten(x, `${prefix}[${i}]`, out));
  } else {
    out.set(prefix, v);
  }
  return out;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Pure: what a step changes, field by field. A kind's desired state may name only what it changes (an
 * exec step's `{done: true}`): fields it leaves out keep their observed value and show as context.
 */
export function stateDiff(before: unknown, desired: unknown): DiffLine[] {
  const b = before === undefined ? new Map<string, unknown>() : flatten(before);
  const d = desired === undefined ? new Map<string, unknown>() : flatten(desired);
  const out: DiffLine[] = [];
  for (const [path, value] of b) {
    if (!d.has(path)) {
      // a field the desired state leaves out is unchanged, unless the desired state replaced its parent
      const replaced = (path === '' && d.size > 0) || [...d.keys()].some((p) => p !== '' && path.startsWith(`${p}.`));
      out.push(replaced ? { path, op: '-', before: value } : { path, op: ' ', before: value, after: value });
    } else {
      const after = d.get(path);
      out.push(same(value, after) ? { path, op: ' ', before: value, after } : { path, op: '~', before: value, after });
    }
  }
  for (const [path, value] of d) if (!b.has(path)) out.push({ path, op: '+', after: value });
  return out;
}
