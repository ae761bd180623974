// Positions, ranges, diagnostics and fixes as plain data. Every layer of GradLens
// (checker, analysis, server, CLI) speaks these; the server maps them 1:1 to LSP.
// Lines and characters are 0-based, characters count UTF-16 code units, as in LSP.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface TextEdit {
  range: Range;
  newText: string;
}

/** A quick fix: a titled set of edits to the same document. */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix an editor may apply with "auto fix" (one per diagnostic at most). */
  isPreferred?: boolean;
}

export interface RelatedInfo {
  range: Range;
  message: string;
}

export interface Diagnostic {
  /** Stable, kebab-case code, e.g. `unknown-layer`, `vanishing-gradient`. */
  code: string;
  message: string;
  range: Range;
  severity: Severity;
  /** `gradlens` for every diagnostic; kept explicit for LSP clients that show it. */
  source?: string;
  related?: RelatedInfo[];
  fixes?: Fix[];
}

export function range(startLine: number, startChar: number, endLine: number, endChar: number): Range {
  return { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } };
}
