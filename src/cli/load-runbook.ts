import { BUILTIN_KINDS } from '../kinds/builtin.js';
import { createKindRegistry, type KindRegistry } from '../kinds/registry.js';
import type { Runbook } from '../runbook/types.js';
import { validateRunbookFile } from '../runbook/validate.js';
import type { Diagnostic } from '../util/diagnostic.js';
import { hasErrors } from '../util/diagnostic.js';
import { runbookInvalid } from '../util/errors.js';

export interface ValidRunbook {
  readonly runbook: Runbook;
  readonly registry: KindRegistry;
  readonly text: string;
  readonly warnings: readonly Diagnostic[];
}

export const baseRegistry = (): KindRegistry => createKindRegistry(BUILTIN_KINDS);

/** Load + validate, or throw RunbookInvalid carrying every diagnostic (rendered by main.ts). */
export async function loadValidRunbook(file: string, plugins: readonly string[] = []): Promise<ValidRunbook> {
  const v = await validateRunbookFile(file, baseRegistry(), { plugins });
  if (!v.runbook || hasErrors(v.diagnostics)) throw runbookInvalid(file, v.diagnostics);
  return { runbook: v.runbook, registry: v.registry, text: v.loaded.text, warnings: v.diagnostics };
}
