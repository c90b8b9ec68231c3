import { loadBuiltinRegistry } from '../kinds/builtin.js';
import type { KindRegistry } from '../kinds/registry.js';
import type { Runbook } from '../runbook/types.js';
import { validateRunbookFile } from '../runbook/validate.js';
import type { Diagnostic } from '../util/diagnostic.js';
import { hasErrors } from '../util/diagnostic.js';
import { runbookInvalid, usageError } from '../util/errors.js';
import { preloadKinds } from '../runbook/preload.js';

export interface ValidRunbook {
  readonly runbook: Runbook;
  readonly registry: KindRegistry;
  readonly text: string;
  readonly warnings: readonly Diagnostic[];
}

/** The built-in kinds: those named (imported on demand), or all. */
export const baseRegistry = (kindNames?: readonly string[]): Promise<KindRegistry> => loadBuiltinRegistry(kindNames);

/** Load + validate, or throw RunbookInvalid carrying every diagnostic (rendered by main.ts). */
export async function loadValidRunbook(file: string, plugins: readonly string[] = []): Promise<ValidRunbook> {
  const v = await validateRunbookFile(file, baseRegistry, { plugins });
  const errors = v.diagnostics.filter((d) => d.severity === 'error');
  // only a flag is wrong (--plugin): a usage error naming it, not "the runbook is invalid"
  if (errors.length > 0 && errors.every((d) => d.line === 0 && d.file.startsWith('--'))) {
    throw usageError(errors.map((d) => `${d.file} ${d.message.replace(/^plugin "([^"]*)": /, '$1: ')}`).join('; '));
  }
  if (!v.runbook || hasErrors(v.diagnostics)) throw runbookInvalid(file, v.diagnostics);
  await preloadKinds(v.runbook, v.registry);
  return { runbook: v.runbook, registry: v.registry, text: v.loaded.text, warnings: v.diagnostics };
}
