// Document symbols (the outline: statements, layers nested in `repeat`/`residual`) and
// folding ranges (blocks and runs of comment lines), both read off the syntax tree.

import { FoldingRangeKind, SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver/node';
import type { NetDocument, Statement } from '../lang/ast';
import { findLayer } from '../lang/vocabulary';
import { toLspRange } from './lspConvert';

const STATEMENT_KINDS: Record<string, SymbolKind> = {
  model: SymbolKind.Module,
  data: SymbolKind.Struct,
  input: SymbolKind.Field,
  repeat: SymbolKind.Namespace,
  residual: SymbolKind.Namespace,
  loss: SymbolKind.Event,
  optimizer: SymbolKind.Operator,
  train: SymbolKind.Property,
  watch: SymbolKind.Property,
};

function argumentText(statement: Statement, text: string, offsetAt: (p: Statement['range']['start']) => number): string {
  const parts = [...statement.args, ...statement.options.map((o) => ({ range: o.range }))];
  if (parts.length === 0) return '';
  const start = offsetAt(parts[0].range.start);
  const end = offsetAt(parts[parts.length - 1].range.end);
  return text.slice(start, Math.min(end, start + 120));
}

export function documentSymbols(document: NetDocument, text: string, offsetAt: (p: Statement['range']['start']) => number): DocumentSymbol[] {
  const symbolOf = (statement: Statement): DocumentSymbol => {
    const keyword = statement.keyword.text;
    const isLayer = findLayer(keyword) !== undefined;
    const args = argumentText(statement, text, offsetAt);
    const name = statement.label ? statement.label.text : keyword || '(missing keyword)';
    const detail = statement.label ? `${keyword} ${args}`.trim() : args;
    return {
      name,
      detail,
      kind: STATEMENT_KINDS[keyword] ?? (isLayer ? SymbolKind.Function : SymbolKind.Null),
      range: toLspRange(statement.range),
      selectionRange: toLspRange((statement.label ?? statement.keyword).range),
      children: statement.block ? statement.block.statements.map(symbolOf) : undefined,
    };
  };
  return document.statements.map(symbolOf);
}

export function foldingRanges(document: NetDocument): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const visit = (statements: Statement[]): void => {
    for (const s of statements) {
      if (!s.block) continue;
      const endLine = s.block.close ? s.block.close.start.line - 1 : s.block.range.end.line;
      if (endLine > s.block.open.start.line) ranges.push({ startLine: s.block.open.start.line, endLine });
      visit(s.block.statements);
    }
  };
  visit(document.statements);
  // Runs of two or more consecutive comment lines fold as one.
  let runStart: number | undefined;
  let previous: number | undefined;
  const closeRun = (): void => {
    if (runStart !== undefined && previous !== undefined && previous > runStart) ranges.push({ startLine: runStart, endLine: previous, kind: FoldingRangeKind.Comment });
  };
  for (const comment of document.comments) {
    const line = comment.range.start.line;
    if (previous !== undefined && line === previous + 1) {
      previous = line;
      continue;
    }
    closeRun();
    runStart = line;
    previous = line;
  }
  closeRun();
  return ranges;
}
