import { yamlLib } from '../yaml/lib.js';

type Obj = Readonly<Record<string, unknown>>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * What changed between the runbook a run started with (its saved copy) and the file now, in words:
 * steps added / removed / changed (and which fields), params, other spec sections. Pure.
 */
export function diffRunbookTexts(savedText: string, currentText: string): string[] {
  let saved: Obj;
  let current: Obj;
  try {
    saved = obj(yamlLib().parse(savedText));
    current = obj(yamlLib().parse(currentText));
  } catch (e) {
    return [`the file no longer parses as YAML (${(e as Error).message.split('\n')[0]})`];
  }
  const changes: string[] = [];
  if (!same(saved['metadata'], current['metadata'])) changes.push('metadata changed');
  const s = obj(saved['spec']);
  const c = obj(current['spec']);
  changes.push(...diffById('param', obj(s['params']), obj(c['params'])));
  const stepsOf = (spec: Obj): Map<string, Obj> =>
    new Map(
      (Array.isArray(spec['steps']) ? spec['steps'] : []).map((st: unknown, i: number) => [String(obj(st)['id'] ?? `#${i + 1}`), obj(st)]),
    );
  const before = stepsOf(s);
  const after = stepsOf(c);
  for (const [id] of after) if (!before.has(id)) changes.push(`step "${id}" added`);
  for (const [id] of before) if (!after.has(id)) changes.push(`step "${id}" removed`);
  for (const [id, b] of before) {
    const a = after.get(id);
    if (!a || same(a, b)) continue;
    const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !same(a[k], b[k])).sort();
    changes.push(`step "${id}" changed (${fields.join(', ')})`);
  }
  const order = (m: Map<string, Obj>): string => [...m.keys()].filter((id) => before.has(id) && after.has(id)).join(',');
  if (changes.every((x) => !x.startsWith('step')) && order(before) !== order(after)) changes.push('steps reordered');
  for (const key of [...new Set([...Object.keys(s), ...Object.keys(c)])].sort()) {
    if (key === 'params' || key === 'steps' || same(s[key], c[key])) continue;
    changes.push(`spec.${key} ${key in s ? (key in c ? 'changed' : 'removed') : 'added'}`);
  }
  for (const key of [...new Set([...Object.keys(saved), ...Object.keys(current)])]) {
    if (key !== 'spec' && key !== 'metadata' && !same(saved[key], current[key])) changes.push(`${key} changed`);
  }
  return changes.length > 0 ? changes : ['only comments or formatting changed'];
}

function diffById(what: string, before: Obj, after: Obj): string[] {
  const out: string[] = [];
  for (const k of Object.keys(after)) if (!(k in before)) out.push(`${what} "${k}" added`);
  for (const k of Object.keys(before)) if (!(k in after)) out.push(`${what} "${k}" removed`);
  for (const k of Object.keys(before)) if (k in after && !same(before[k], after[k])) out.push(`${what} "${k}" changed`);
  return out;
}
