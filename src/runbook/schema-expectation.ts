import { KEBAB_PATTERN, PARAM_NAME_PATTERN, isDurationPattern } from './schema-parts.js';
import { DATE_PATTERN, DAY_PATTERN, HOURS_PATTERN } from './schema-schedule.js';

type Schema = Readonly<Record<string, unknown>>;

/** What a schema accepts, as the end of "X must be ...": 'an integer ≥ 1', 'one of "stop", "rollback"'. */
export function expectation(schema: Schema): string {
  if (Array.isArray(schema['enum'])) return `one of ${schema['enum'].map((v) => JSON.stringify(v)).join(', ')}`;
  if ('const' in schema) return JSON.stringify(schema['const']);
  const types = Array.isArray(schema['type']) ? (schema['type'] as unknown[]) : [schema['type']];
  const named = types.filter((t): t is string => typeof t === 'string').map((t) => typeName(t, schema));
  if (named.length === 0) return 'a valid value';
  return named.join(' or ');
}

function typeName(type: string, schema: Schema): string {
  switch (type) {
    case 'integer':
    case 'number':
      return `${type === 'integer' ? 'an integer' : 'a number'}${bounds(schema)}`;
    case 'string':
      if (typeof schema['pattern'] === 'string') return `text that is ${patternMeaning(schema)}`;
      if (schema['minLength'] === 1) return 'non-empty text';
      return 'text';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'a map';
    case 'null':
      return 'null';
    default:
      return type;
  }
}

function bounds(schema: Schema): string {
  const parts: string[] = [];
  if (typeof schema['minimum'] === 'number') parts.push(`≥ ${schema['minimum']}`);
  if (typeof schema['exclusiveMinimum'] === 'number') parts.push(`> ${schema['exclusiveMinimum']}`);
  if (typeof schema['maximum'] === 'number') parts.push(`≤ ${schema['maximum']}`);
  if (typeof schema['exclusiveMaximum'] === 'number') parts.push(`< ${schema['exclusiveMaximum']}`);
  return parts.length > 0 ? ` ${parts.join(' and ')}` : '';
}

/** A pattern in words where we know it ('kebab-case, e.g. db-election'), else the regex. */
export function patternMeaning(schema: unknown): string {
  const pattern = schema !== null && typeof schema === 'object' ? (schema as Schema)['pattern'] : schema;
  if (pattern === KEBAB_PATTERN) return 'kebab-case (lowercase letters, digits and single dashes, e.g. db-election)';
  if (pattern === PARAM_NAME_PATTERN) return 'an identifier (letters, digits, _ and -; not starting with a digit)';
  if (isDurationPattern(pattern)) return 'a duration such as 500ms, 30s or 1m30s';
  if (pattern === DAY_PATTERN) return 'a weekday (mon..sun) or a range of them (mon-fri)';
  if (pattern === HOURS_PATTERN) return 'local hours HH:MM-HH:MM (e.g. 02:00-05:00; 22:00-02:00 crosses midnight)';
  if (pattern === DATE_PATTERN) return 'a date YYYY-MM-DD';
  return `matching /${String(pattern)}/`;
}
