import { Ajv2020 } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { ROOT } from './cli.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

/** A document matches its published JSON Schema (runbooks/schema/NAME.schema.json): the schema says what the command prints. */
export function expectMatchesSchema(name: 'assessment' | 'inspection', doc: unknown): void {
  let validate = validators.get(name);
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'runbooks/schema', `${name}.schema.json`), 'utf8')) as object);
    validators.set(name, validate);
  }
  const ok = validate(doc);
  expect(ok ? [] : validate.errors?.map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`)).toEqual([]);
}
