import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hasErrors, type Diagnostic } from '../../util/diagnostic.js';
import { ExitCode } from '../../util/errors.js';
import { isFileProblem } from '../../util/fs-problem.js';
import { validateRunbookFile } from '../../runbook/validate.js';
import { baseRegistry } from '../load-runbook.js';
import type { CliIO } from '../io.js';
import { renderDiagnostics } from '../output/diagnostics.js';
import { envelope } from '../output/json.js';

interface FileResult {
  readonly file: string;
  readonly kind: 'Runbook' | 'Topology';
  readonly valid: boolean;
  /** Runbook: its steps; topology: its zones. */
  readonly steps?: number;
  readonly zones?: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** A topology file says so on a top-level `kind: Topology` line; everything else is read as a runbook. */
async function fileKind(file: string): Promise<'Runbook' | 'Topology'> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return /^kind:\s*["']?Topology["']?\s*(#.*)?$/m.test(text) ? 'Topology' : 'Runbook';
}

async function validateOne(file: string, plugins: readonly string[]): Promise<FileResult> {
  try {
    if ((await fileKind(file)) === 'Topology') {
      const { loadTopologyFile } = await import('../../rules/load-topology.js');
      const t = await loadTopologyFile(file);
      return { file, kind: 'Topology', valid: !hasErrors(t.diagnostics), zones: t.topology?.zones.length ?? 0, diagnostics: t.diagnostics };
    }
    const v = await validateRunbookFile(file, baseRegistry, { plugins });
    return { file, kind: 'Runbook', valid: !hasErrors(v.diagnostics), steps: v.runbook?.steps.length ?? 0, diagnostics: v.diagnostics };
  } catch (e) {
    if (!isFileProblem(e)) throw e;
    // no position: the file itself is the problem ("nope.yaml: error: no such file or directory")
    return {
      file,
      kind: 'Runbook',
      valid: false,
      steps: 0,
      diagnostics: [{ severity: 'error', code: e.code, message: e.problem, file, line: 0, column: 0 }],
    };
  }
}

/** drctl validate FILE...: runbooks and topology files, every problem of every file in one pass; exit 0 valid, 3 invalid. */
export async function validateCommand(io: CliIO, files: string[], opts: { plugin?: string[] }, _cmd: Command): Promise<ExitCode> {
  const results: FileResult[] = [];
  for (const file of files) results.push(await validateOne(file, opts.plugin ?? []));
  const allDiagnostics = results.flatMap((r) => r.diagnostics);
  const ok = results.every((r) => r.valid);
  if (io.json) {
    io.out(envelope('validate', ok, { files: results.map(({ diagnostics: _d, ...r }) => r) }, allDiagnostics));
  } else {
    if (allDiagnostics.length > 0) io.err(renderDiagnostics(allDiagnostics, readSource, { color: io.color.err }));
    for (const r of results)
      if (r.valid)
        io.out(r.kind === 'Topology' ? `${r.file}: valid topology (${r.zones ?? 0} zones)` : `${r.file}: valid (${r.steps ?? 0} steps)`);
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
