import type { Command } from 'commander';
import { buildReport, type RunReport } from '../../report/build-report.js';
import { renderHtml } from '../../report/html.js';
import { renderJunit } from '../../report/junit.js';
import { renderMarkdown } from '../../report/markdown.js';
import { openStateStore } from '../../state/open-store.js';
import type { RunMeta } from '../../model/records.js';
import { DrctlError, ExitCode, usageError } from '../../util/errors.js';
import type { InspectionRecord } from '../../model/inspection.js';
import { renderInspectionHtml } from '../../report/inspection-html.js';
import { renderInspectionMarkdown } from '../../report/inspection-md.js';
import { unreachable } from '../../util/unreachable.js';
import type { CliIO } from '../io.js';
import { envelope } from '../output/json.js';
import { writeDocument } from '../output/document.js';

type Format = 'json' | 'md' | 'junit' | 'html';

/**
 * drctl report RUN_ID --format md|json|junit|html [-o FILE]. The HTML report is one self-contained file
 * (inline CSS and SVG, no script, no network) whose RTO trend reads the earlier runs of the same runbook.
 * An inspection's id (…-inspect-…) renders that inspection (md, json, html).
 */
export async function reportCommand(io: CliIO, runId: string, flags: { format: Format; out?: string }, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  // --json is --format json (the enveloped report); with another --format it is a contradiction, not a guess
  const explicit = cmd.getOptionValueSource('format') === 'cli';
  if (io.json && explicit && flags.format !== 'json')
    throw usageError(
      `--json and --format ${flags.format} ask for two formats`,
      'drop one: --json prints the JSON report (the same as --format json)',
    );
  const format: Format = io.json ? 'json' : flags.format;
  const store = await openStateStore(state);
  // an inspection's id (…-inspect-…); a runbook named "inspect" has run ids of that shape too: then it is a run
  const inspection = /-inspect-[0-9a-f]+$/.test(runId)
    ? await store.readInspection(runId).catch(async (e: unknown) => {
        await store.close();
        throw e;
      })
    : undefined;
  if (inspection) return reportInspection(io, inspection, { ...flags, format }).finally(() => store.close());
  const [meta, journal, history] = await Promise.all([
    store.readRunMeta(runId),
    store.readJournal(runId),
    format === 'html' ? store.listRuns() : Promise.resolve([]),
  ]).finally(() => store.close());
  if (!meta)
    throw new DrctlError('run-not-found', ExitCode.invalidInput, `no run "${runId}" in ${state}`, {
      hint: 'list runs and inspections with `drctl history`',
    });
  if (journal.corrupt)
    io.err(
      `warning: journal of ${runId} has unreadable line(s) ${journal.corrupt.lines.join(', ')}${journal.corrupt.tornTail ? ' (a torn last write)' : ''}; reporting the intact records`,
    );
  const report = buildReport(meta, journal.records);
  await writeDocument(io, flags.out, render(report, format, history));
  return ExitCode.ok;
}

/** An inspection (drctl inspect) rendered as md, json or html. */
async function reportInspection(io: CliIO, record: InspectionRecord, flags: { format: Format; out?: string }): Promise<ExitCode> {
  if (flags.format === 'junit') throw usageError('--format junit reports runs; an inspection has md, json and html');
  const text =
    flags.format === 'json'
      ? `${JSON.stringify(record, null, 2)}\n`
      : flags.format === 'html'
        ? renderInspectionHtml(record)
        : renderInspectionMarkdown(record);
  await writeDocument(io, flags.out, text);
  return ExitCode.ok;
}

function render(report: RunReport, format: Format, history: readonly RunMeta[]): string {
  switch (format) {
    case 'json':
      // the same envelope as every other document (schemaVersion, command, ok, result, diagnostics)
      return `${envelope('report', true, report)}\n`;
    case 'md':
      return renderMarkdown(report);
    case 'junit':
      return renderJunit(report);
    case 'html':
      return renderHtml(report, history);
    default:
      return unreachable(format);
  }
}
