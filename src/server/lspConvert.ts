// GradLens's plain diagnostics, fixes and ranges → LSP types. Both are 0-based with
// UTF-16 characters, so positions map 1:1.

import {
  CodeAction,
  CodeActionKind,
  DiagnosticSeverity,
  type Diagnostic as LspDiagnostic,
  type Range as LspRange,
} from 'vscode-languageserver/node';
import type { Diagnostic, Fix, Range, Severity } from '../lang/diagnostics';

export function toLspRange(range: Range): LspRange {
  return { start: { ...range.start }, end: { ...range.end } };
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspSeverity(severity: Severity): DiagnosticSeverity {
  return SEVERITY[severity];
}

export function toLspDiagnostic(diagnostic: Diagnostic, uri: string): LspDiagnostic {
  return {
    range: toLspRange(diagnostic.range),
    severity: toLspSeverity(diagnostic.severity),
    code: diagnostic.code,
    source: 'gradlens',
    message: diagnostic.message,
    relatedInformation: diagnostic.related?.map((r) => ({ location: { uri, range: toLspRange(r.range) }, message: r.message })),
  };
}

export function toCodeAction(fix: Fix, uri: string, diagnostic: LspDiagnostic): CodeAction {
  const action = CodeAction.create(fix.title, { changes: { [uri]: fix.edits.map((e) => ({ range: toLspRange(e.range), newText: e.newText })) } }, CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  if (fix.isPreferred) action.isPreferred = true;
  return action;
}

export function rangesOverlap(a: LspRange, b: LspRange): boolean {
  const before = (p: LspRange['start'], q: LspRange['start']) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}
