#!/usr/bin/env node
// Part of `npm run build`, after tsc: compile the runbook's JSON Schemas once (ajv standalone code) into
// dist/runbook/schema-validators.generated.js, so drctl does not compile them at every start.
import { writeFileSync } from 'node:fs';
import { GENERATED_MODULE } from '../dist/runbook/schema-compiled.js';
import { buildTimeSchemas, generateValidatorsModule } from '../dist/runbook/schema-standalone.js';

const file = new URL(`../dist/runbook/${GENERATED_MODULE}`, import.meta.url);
writeFileSync(file, generateValidatorsModule(await buildTimeSchemas()));
