import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../util/diagnostic.js';
import { containerLabel, fieldLabel, showValue, subjectLabel, valueAt } from './describe-path.js';
import { didYouMean, suggestionSuffix } from '../util/did-you-mean.js';
import { expectation, patternMeaning } from './schema-expectation.js';
import { isDurationPattern } from './schema-parts.js';
import type { DataPath, SourceMap } from '../yaml/source-map.js';

export interface TranslateOptions {
  readonly sourceMap: SourceMap;
  /** The whole runbook data (for step labels). */
  readonly root: unknown;
  /** Where the validated value lives in the runbook (['spec','steps',2,'with'] for params). */
  readonly basePath: DataPath;
  /** Inside `with:` a `${...}` string stands for a value of any type: its type errors wait for run time. */
  readonly allowTemplates: boolean;
}

const DURATION_HINT = 'use e.g. 500ms, 30s, 1m30s';
const PRIORITY = [
  'type',
  'const',
  'enum',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'oneOf',
  'anyOf',
  'not',
];
const NOISE = new Set(['if', 'propertyNames', 'allOf', '$ref']);

/** Turn ajv errors into plain-English diagnostics: one per location, wrappers collapsed, positions exact. */
export function translateSchemaErrors(errors: readonly ErrorObject[], options: TranslateOptions): Diagnostic[] {
  const kept = collapse(errors, options);
  const out: Diagnostic[] = [];
  const unknownByMap = new Map<string, string[]>();
  for (const e of kept.filter((x) => x.keyword === 'additionalProperties')) {
    const path = fullPath(e, options);
    const key = String((e.params as { additionalProperty?: unknown }).additionalProperty);
    const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    const suggestion = didYouMean(key, known);
    if (suggestion) unknownByMap.set(JSON.stringify(path), [...(unknownByMap.get(JSON.stringify(path)) ?? []), suggestion]);
    out.push({
      severity: 'error',
      code: 'unknown-field',
      message: `unknown field "${key}" ${containerLabel(path, options.root)}${suggestionSuffix(suggestion)}`,
      ...(known.length > 0 ? { hint: `known fields: ${known.join(', ')}` } : {}),
      ...options.sourceMap.locateKey([...path, key]),
    });
  }
  const missingByMap = new Map<string, { path: DataPath; fields: string[] }>();
  for (const e of kept.filter((x) => x.keyword === 'required')) {
    const path = fullPath(e, options);
    const field = String((e.params as { missingProperty?: unknown }).missingProperty);
    if (unknownByMap.get(JSON.stringify(path))?.includes(field)) continue;
    const entry = missingByMap.get(JSON.stringify(path)) ?? { path, fields: [] };
    if (!entry.fields.includes(field)) entry.fields.push(field);
    missingByMap.set(JSON.stringify(path), entry);
  }
  for (const { path, fields } of missingByMap.values()) {
    const names = fields.map((f) => `"${f}"`);
    const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}` : (names[0] ?? '');
    out.push({
      severity: 'error',
      code: 'missing-field',
      message: `missing required field${fields.length > 1 ? 's' : ''} ${list} ${containerLabel(path, options.root)}`,
      ...options.sourceMap.locate(path),
    });
  }
  const byLocation = new Map<string, ErrorObject>();
  for (const e of kept) {
    if (e.keyword === 'additionalProperties' || e.keyword === 'required') continue;
    const key = `${e.instancePath}\0${String((e as { propertyName?: unknown }).propertyName ?? '')}`;
    const current = byLocation.get(key);
    if (!current || rank(e) < rank(current)) byLocation.set(key, e);
  }
  for (const e of byLocation.values()) out.push(valueDiagnostic(e, options));
  return out;
}

function rank(e: ErrorObject): number {
  const i = PRIORITY.indexOf(e.keyword);
  return i === -1 ? PRIORITY.length : i;
}

/** Drop wrapper errors (if/then, oneOf branches) and template-valued strings. */
function collapse(errors: readonly ErrorObject[], options: TranslateOptions): ErrorObject[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  return errors.filter((e) => {
    if (NOISE.has(e.keyword)) return false;
    if (oneOfs.some((prefix) => e.schemaPath.startsWith(prefix))) return false;
    if (options.allowTemplates && typeof e.data === 'string' && e.data.includes('${')) return false;
    return true;
  });
}

function fullPath(e: ErrorObject, options: TranslateOptions): DataPath {
  const out: (string | number)[] = [...options.basePath];
  for (const raw of e.instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out.push(Array.isArray(valueAt(options.root, out)) && /^\d+$/.test(seg) ? Number(seg) : seg);
  }
  return out;
}

function valueDiagnostic(e: ErrorObject, options: TranslateOptions): Diagnostic {
  const path = fullPath(e, options);
  const propertyName = (e as { propertyName?: unknown }).propertyName;
  if (typeof propertyName === 'string') {
    return {
      severity: 'error',
      code: 'bad-value',
      message: `name "${propertyName}" ${containerLabel(path, options.root)} must be ${patternMeaning(e.schema)}`,
      ...options.sourceMap.locateKey([...path, propertyName]),
    };
  }
  const at = options.sourceMap.locate(path);
  const schema = (e.parentSchema ?? {}) as Readonly<Record<string, unknown>>;
  if ((e.keyword === 'type' || e.keyword === 'pattern') && isDurationPattern(schema['pattern'])) {
    return {
      severity: 'error',
      code: 'bad-duration',
      message: `bad duration ${showValue(e.data)} for ${fieldLabel(path)}: ${DURATION_HINT}`,
      ...at,
    };
  }
  const subject = subjectLabel(path, options.root);
  const got = `, got ${showValue(e.data)}`;
  switch (e.keyword) {
    case 'type':
      return { severity: 'error', code: 'wrong-type', message: `${subject} must be ${expectation(schema)}${got}`, ...at };
    case 'enum': {
      const allowed = ((schema['enum'] ?? []) as unknown[]).map(String);
      const suggestion = typeof e.data === 'string' ? didYouMean(e.data, allowed) : undefined;
      return {
        severity: 'error',
        code: 'bad-value',
        message: `${subject} must be ${expectation(schema)}${got}${suggestionSuffix(suggestion)}`,
        ...at,
      };
    }
    case 'oneOf':
    case 'anyOf':
      return { severity: 'error', code: 'bad-value', message: `${subject} ${alternatives(e)}`, ...at };
    case 'minItems':
    case 'maxItems': {
      const n = Number((e.params as { limit?: unknown }).limit);
      const bound = e.keyword === 'minItems' ? 'at least' : 'at most';
      return { severity: 'error', code: 'bad-value', message: `${subject} must have ${bound} ${n} item${n === 1 ? '' : 's'}`, ...at };
    }
    case 'uniqueItems':
      return { severity: 'error', code: 'bad-value', message: `${subject} must not repeat items`, ...at };
    case 'minLength':
      return { severity: 'error', code: 'bad-value', message: `${subject} must not be empty`, ...at };
    case 'dependentRequired': {
      const { property, missingProperty } = e.params as { property?: unknown; missingProperty?: unknown };
      return {
        severity: 'error',
        code: 'missing-field',
        message: `"${String(property)}" needs "${String(missingProperty)}" beside it in ${fieldLabel(path)}`,
        ...options.sourceMap.locateKey([...path, String(property)]),
      };
    }
    case 'pattern':
      return { severity: 'error', code: 'bad-value', message: `${subject} must be ${patternMeaning(schema)}${got}`, ...at };
    case 'not':
      return { severity: 'error', code: 'bad-value', message: `${subject} is not allowed here`, ...at };
    default:
      return { severity: 'error', code: 'bad-value', message: `${subject} must be ${expectation(schema)}${got}`, ...at };
  }
}

/** "needs exactly one of "exec" or "http"" for oneOf-of-required; a generic sentence otherwise. */
function alternatives(e: ErrorObject): string {
  const branches = Array.isArray(e.schema) ? (e.schema as unknown[]) : [];
  const names = branches.flatMap((b) => {
    // a branch that only says "has key K" ({required: [K]}, with K declared as {} for ajv's strict mode)
    const keys = b !== null && typeof b === 'object' ? Object.keys(b).filter((k) => k !== 'properties') : [];
    const required = (b as { required?: unknown }).required;
    return keys.length === 1 && Array.isArray(required) && required.length === 1 ? [String(required[0])] : [];
  });
  if (names.length !== branches.length || names.length === 0) return 'does not match any of the allowed forms';
  const list = names.map((n) => `"${n}"`).join(' or ');
  const passing = (e.params as { passingSchemas?: unknown }).passingSchemas;
  if (Array.isArray(passing)) return `must have only one of ${list}, not several`;
  return `needs ${e.keyword === 'oneOf' ? 'exactly ' : ''}one of ${list}`;
}
