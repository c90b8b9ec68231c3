/** A problem found in a user's file, with the position it points at (1-based line and column). */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface Diagnostic extends SourcePosition {
  readonly severity: 'error' | 'warning';
  /** Stable machine code, e.g. 'unknown-kind', 'needs-cycle', 'bad-duration'. */
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  /** Extra locations, e.g. the edges of a dependency cycle. */
  readonly related?: readonly (SourcePosition & { readonly message: string })[];
  /** Number of characters the caret underlines (default 1). */
  readonly length?: number;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export function formatPosition(p: SourcePosition): string {
  return `${p.file}:${p.line}:${p.column}`;
}
