import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { buildReport } from '../../report/build-report.js';
import { renderJunit } from '../../report/junit.js';
import { renderMarkdown } from '../../report/markdown.js';
import { openStateStore } from '../../state/open-store.js';
import { DrctlError, ExitCode } from '../../util/errors.js';
import { unreachable } from '../../util/unreachable.js';
import type { CliIO } from '../io.js';

type Format = 'json' | 'md' | 'junit';

/** drctl report RUN_ID --format md|json|junit [-o FILE]. */
export async function reportCommand(io: CliIO, runId: string, flags: { format: Format; out?: string }, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const store = await openStateStore(state);
  const [meta, journal] = await Promise.all([store.readRunMeta(runId), store.readJournal(runId)]).finally(() => store.close());
  if (!meta) throw new DrctlError('run-not-found', ExitCode.invalidInput, `no run "${runId}" in ${state}`, { hint: 'list runs with `drctl history`' });
  if (journal.corrupt) io.err(`warning: journal of ${runId} has unreadable line(s) ${journal.corrupt.lines.join(', ')}${journal.corrupt.tornTail ? ' (a torn last write)' : ''}; reporting the intact records`);
  const report = buildReport(meta, journal.records);
  const text = render(report, flags.format);
  if (flags.out) {
    await writeFile(flags.out, text);
    io.err(`wrote ${flags.out}`);
  } else {
    io.out(text);
  }
  return ExitCode.ok;
}

function render(report: ReturnType<typeof buildReport>, format: Format): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'md':
      return renderMarkdown(report);
    case 'junit':
      return renderJunit(report);
    default:
      return unreachable(format);
  }
}
