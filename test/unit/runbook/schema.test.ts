import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { buildRunbookJsonSchema, RUNBOOK_SCHEMA_ID } from '../../../src/runbook/schema.js';
import { fakeRegistry } from './fake-kinds.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/runbooks');
const readYaml = (name: string): unknown => parse(readFileSync(resolve(FIXTURES, name), 'utf8'));

describe('buildRunbookJsonSchema', () => {
  const schema = buildRunbookJsonSchema(fakeRegistry());
  const ajv = new Ajv2020({ strict: false, allErrors: true });

  test('is a valid draft 2020-12 schema with id, title and field descriptions', () => {
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: RUNBOOK_SCHEMA_ID,
      title: 'drctl runbook',
    });
    const spec = (schema['properties'] as Record<string, { properties: Record<string, { description?: string }> }>)['spec'];
    expect(spec?.properties['concurrency']?.description).toMatch(/parallel/);
  });

  test('valid fixtures and the shipped runbooks validate against the schema of the real kinds (runbooks/schema, what `drctl schema` prints, what editors use)', () => {
    const root = resolve(import.meta.dirname, '../../..');
    const real = JSON.parse(readFileSync(resolve(root, 'runbooks/schema/runbook.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(real);
    for (const name of ['valid/city-cut.yaml', 'valid/minimal.yaml', 'valid/with-plugin.yaml']) {
      expect(validate(readYaml(name)), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    // templates (`to: "${params.target}"`) must not trip a oneOf in the editor, as they once did
    for (const name of [
      'runbooks/examples/city-cut.yaml',
      'runbooks/lab/city-cut.yaml',
      'runbooks/lab/fail-back.yaml',
      'runbooks/lab/city-cut-mysql.yaml',
    ]) {
      expect(validate(parse(readFileSync(resolve(root, name), 'utf8'))), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  test("each kind's params are checked through if/then (what editors use)", () => {
    const validate = ajv.compile(schema);
    const bad = readYaml('invalid/many-errors.yaml'); // has with.colour on an exec step
    expect(validate(bad)).toBe(false);
    expect(validate.errors?.some((e) => e.instancePath === '/spec/steps/2/with' && e.keyword === 'additionalProperties')).toBe(true);
    expect(validate(readYaml('invalid/unknown-field.yaml'))).toBe(false);
  });
});
