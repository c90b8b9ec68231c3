import type { Diagnostic, SourcePosition } from '../util/diagnostic.js';

/** A path into parsed YAML data: ['spec', 'cities', 'hz', 'dcs', 'hz-a', 'zones', 'RZ01', 'shards', 0]. */
export type DataPath = readonly (string | number)[];

/**
 * Where a data path is written in the file. `part: 'key'` asks for the key of a map entry (unknown
 * fields point there). Supplied by the loader (yaml ranges), so validation stays pure.
 */
export type Locate = (path: DataPath, part?: 'key' | 'value') => SourcePosition & { readonly length?: number };

export interface ReportOptions {
  readonly part?: 'key' | 'value';
  readonly hint?: string | undefined;
  readonly related?: readonly { readonly path: DataPath; readonly message: string }[];
}

/** Collects diagnostics with positions; validation never stops at the first problem. */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];
  constructor(private readonly locate: Locate) {}

  error(code: string, path: DataPath, message: string, options: ReportOptions = {}): void {
    this.add('error', code, path, message, options);
  }

  warning(code: string, path: DataPath, message: string, options: ReportOptions = {}): void {
    this.add('warning', code, path, message, options);
  }

  private add(severity: Diagnostic['severity'], code: string, path: DataPath, message: string, o: ReportOptions): void {
    const at = this.locate(path, o.part ?? 'value');
    const related = o.related?.map((r) => {
      const p = this.locate(r.path, 'value');
      return { file: p.file, line: p.line, column: p.column, message: r.message };
    });
    this.diagnostics.push({
      severity,
      code,
      message,
      file: at.file,
      line: at.line,
      column: at.column,
      ...(at.length === undefined ? {} : { length: at.length }),
      ...(o.hint === undefined ? {} : { hint: o.hint }),
      ...(related && related.length > 0 ? { related } : {}),
    });
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }
}
