import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { hasErrors, type Diagnostic } from '../../util/diagnostic.js';
import { ExitCode } from '../../util/errors.js';
import { isFileProblem } from '../../util/fs-problem.js';
import { validateRunbookFile } from '../../runbook/validate.js';
import { baseRegistry } from '../load-runbook.js';
import type { CliIO } from '../io.js';
import { renderDiagnostics } from '../output/diagnostics.js';
import { envelope } from '../output/json.js';

/** drctl validate RUNBOOK...: every problem of every file in one pass; exit 0 valid, 3 invalid. */
export async function validateCommand(io: CliIO, files: string[], opts: { plugin?: string[] }, _cmd: Command): Promise<ExitCode> {
  const results: { file: string; valid: boolean; steps: number; diagnostics: readonly Diagnostic[] }[] = [];
  for (const file of files) {
    try {
      const v = await validateRunbookFile(file, baseRegistry, { plugins: opts.plugin ?? [] });
      results.push({ file, valid: !hasErrors(v.diagnostics), steps: v.runbook?.steps.length ?? 0, diagnostics: v.diagnostics });
    } catch (e) {
      if (!isFileProblem(e)) throw e;
      // no position: the file itself is the problem ("nope.yaml: error: no such file or directory")
      results.push({ file, valid: false, steps: 0, diagnostics: [{ severity: 'error', code: e.code, message: e.problem, file, line: 0, column: 0 }] });
    }
  }
  const allDiagnostics = results.flatMap((r) => r.diagnostics);
  const ok = results.every((r) => r.valid);
  if (io.json) {
    io.out(envelope('validate', ok, { files: results.map(({ file, valid, steps }) => ({ file, valid, steps })) }, allDiagnostics));
  } else {
    if (allDiagnostics.length > 0) io.err(renderDiagnostics(allDiagnostics, readSource, { color: io.color.err }));
    for (const r of results) if (r.valid) io.out(`${r.file}: valid (${r.steps} steps)`);
  }
  return ok ? ExitCode.ok : ExitCode.invalidInput;
}

function readSource(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
