import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { loadPlugins } from '../../kinds/load-plugins.js';
import { hasSyntaxErrors, parseYamlText } from '../../yaml/file.js';
import { normalizeRunbook } from '../../runbook/normalize.js';
import { validateRunbookData } from '../../runbook/validate.js';
import { hasErrors } from '../../util/diagnostic.js';
import { runbookInvalid } from '../../util/errors.js';
import { baseRegistry, type ValidRunbook } from '../load-runbook.js';

/**
 * The runbook as a run saved it (its copy in the store), validated like a file: rollback undoes what the
 * run did with the steps it ran, whatever the file says now, and needs no file on this controller.
 */
export async function loadSavedRunbook(file: string, text: string, extraPlugins: readonly string[]): Promise<ValidRunbook> {
  const parsed = parseYamlText(file, text);
  const loaded = { ...parsed, hash: createHash('sha256').update(text).digest('hex') };
  if (hasSyntaxErrors(loaded.diagnostics)) throw runbookInvalid(`${file} (saved copy)`, loaded.diagnostics);
  const spec = (loaded.data as { spec?: { plugins?: unknown } } | undefined)?.spec;
  const listed = Array.isArray(spec?.plugins) ? (spec.plugins as unknown[]) : [];
  const at = { file, line: 1, column: 1 };
  const requests = [
    ...listed.flatMap((p) => (typeof p === 'string' ? [{ specifier: p, baseDir: dirname(file), at }] : [])),
    ...extraPlugins.map((p) => ({ specifier: p, baseDir: process.cwd(), at })),
  ];
  const { registry, diagnostics: pluginDiagnostics } = await loadPlugins(await baseRegistry(), requests);
  const diagnostics = [...loaded.diagnostics, ...pluginDiagnostics, ...validateRunbookData(loaded, registry)];
  if (hasErrors(diagnostics)) throw runbookInvalid(`${file} (saved copy)`, diagnostics);
  return { runbook: normalizeRunbook(loaded.data, loaded), registry, text, warnings: diagnostics };
}
