import { Secret, isSecret } from '../util/secret.js';
import { parseTemplate, type RefTarget } from './template.js';

export { collectReferences, type Ref } from './template.js';
export { loadParamsFile, parseSetFlag, resolveParams } from './params.js';

/** What `${...}` can read at run time. */
export interface InterpolationScope {
  readonly params: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly secrets: (name: string) => Secret | undefined;
  readonly stepOutputs: (stepId: string) => Readonly<Record<string, unknown>> | undefined;
}

/**
 * Replace references inside a value (recursively through arrays and maps; keys are left alone).
 * A string that is exactly one reference keeps the value's type (an array param stays an array; a secret
 * stays a Secret). Mixed strings become text; when they include a secret the whole result is a Secret.
 * Missing values throw an Error naming the reference.
 */
export function interpolate(value: unknown, scope: InterpolationScope): unknown {
  if (typeof value === 'string') return interpolateString(value, scope);
  if (Array.isArray(value)) return value.map((v) => interpolate(v, scope));
  if (value !== null && typeof value === 'object' && !isSecret(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, scope)]));
  }
  return value;
}

function interpolateString(text: string, scope: InterpolationScope): unknown {
  if (!text.includes('${')) return text;
  const parts = parseTemplate(text);
  const [only] = parts;
  if (parts.length === 1 && only?.type === 'ref') return lookup(only.raw, only.target, scope);
  let out = '';
  const secretNames: string[] = [];
  for (const part of parts) {
    if (part.type === 'text') {
      out += part.text;
      continue;
    }
    const v = lookup(part.raw, part.target, scope);
    if (isSecret(v)) secretNames.push(v.name);
    out += toText(v);
  }
  return secretNames.length > 0 ? new Secret(out, secretNames.join(',')) : out;
}

function toText(v: unknown): string {
  if (isSecret(v)) return v.reveal();
  if (typeof v === 'string') return v;
  if (v === null || typeof v !== 'object') return String(v);
  return JSON.stringify(v);
}

function lookup(raw: string, target: RefTarget, scope: InterpolationScope): unknown {
  switch (target.type) {
    case 'params': {
      if (!Object.hasOwn(scope.params, target.name) || scope.params[target.name] === undefined) {
        throw new Error(`${raw}: param "${target.name}" has no value (declare a default or pass --set ${target.name}=...)`);
      }
      return scope.params[target.name];
    }
    case 'env': {
      const v = scope.env[target.name];
      if (v === undefined) throw new Error(`${raw}: environment variable ${target.name} is not set`);
      return v;
    }
    case 'secret': {
      const v = scope.secrets(target.name);
      if (v === undefined) throw new Error(`${raw}: environment variable ${target.name} is not set`);
      return v;
    }
    case 'output': {
      const outputs = scope.stepOutputs(target.step);
      if (outputs === undefined) throw new Error(`${raw}: step "${target.step}" has no outputs yet (has it run?)`);
      if (!Object.hasOwn(outputs, target.name)) {
        const known = Object.keys(outputs);
        throw new Error(
          `${raw}: step "${target.step}" has no output "${target.name}" (it has: ${known.length > 0 ? known.join(', ') : 'none'})`,
        );
      }
      return outputs[target.name];
    }
    case 'invalid':
      throw new Error(`${raw}: ${target.reason}`);
  }
}
