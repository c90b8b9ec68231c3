#!/usr/bin/env node
// `npm run schema`: write every published JSON Schema (drctl schema NAME) to runbooks/schema/, after a build.
import { writeFileSync } from 'node:fs';
import { PUBLISHED } from '../dist/cli/commands/schema.js';

for (const [name, entry] of Object.entries(PUBLISHED)) {
  writeFileSync(new URL(`../runbooks/schema/${entry.file}`, import.meta.url), `${JSON.stringify(await entry.build(), null, 2)}\n`);
  console.log(`runbooks/schema/${entry.file} (${name})`);
}
