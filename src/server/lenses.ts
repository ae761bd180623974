// Inlay hints (`→ [32, 64]` after each layer; `‖∇W‖ 3.2e-7 ⚠` once this text has been
// probed or trained) and the code lenses over the network
// (`12 layers · 11k params · 2 flags · Train and Inspect`) and on the `model` line
// (`Check Gradients`, then the check's verdict).

import { DiagnosticSeverity, InlayHintKind, type CodeLens, type InlayHint, type Range } from 'vscode-languageserver/node';
import { formatNumber } from '../analysis/format';
import type { LeafLayer } from '../lang/spec';
import type { GradLensSettings } from '../protocol/settings';
import { evidenceOf, type DocumentState } from './documentState';
import { formatCount } from '../analysis/format';
import { outputShapeOf } from '../kinds';

function leavesByLine(leaves: readonly LeafLayer[]): Map<number, LeafLayer[]> {
  const byLine = new Map<number, LeafLayer[]>();
  for (const leaf of leaves) byLine.set(leaf.line, [...(byLine.get(leaf.line) ?? []), leaf]);
  return byLine;
}

/** The norm shown for a layer: its weight gradient's, else its whole gradient's. */
function shownNorm(state: DocumentState, leaf: LeafLayer): { label: string; value: number } | undefined {
  const evidence = evidenceOf(state);
  const last = evidence?.frames[evidence.frames.length - 1];
  const stats = last?.layers.find((l) => l.index === leaf.index);
  if (!stats || stats.params.length === 0) return undefined;
  const weights = stats.params.find((p) => p.name === 'W');
  return weights ? { label: '‖∇W‖', value: weights.gradNorm } : { label: '‖∇‖', value: stats.gradNorm };
}

export function inlayHints(state: DocumentState, visible: Range, settings: GradLensSettings['inlayHints']): InlayHint[] {
  const spec = state.spec;
  if (!spec) return [];
  const flaggedLines = new Set(
    state.published
      .filter((p) => p.finding && (p.diagnostic.severity === DiagnosticSeverity.Warning || p.diagnostic.severity === DiagnosticSeverity.Error))
      .map((p) => p.diagnostic.range.start.line),
  );
  const hints: InlayHint[] = [];
  for (const [line, copies] of leavesByLine(spec.leaves)) {
    if (line < visible.start.line || line > visible.end.line) continue;
    const leaf = copies[0];
    const parts: string[] = [];
    if (settings.shapes) {
      // Copies of a repeated layer that change the shape: the first copy's output … the last's.
      const shape = (c: typeof leaf) => `[${[spec.train.batch, ...outputShapeOf(c)].join(', ')}]`;
      const first = shape(leaf), lastShape = shape(copies[copies.length - 1]);
      parts.push(first === lastShape ? `→ ${first}` : `→ ${first} … ${lastShape}`);
    }
    if (settings.gradients) {
      const norms = copies.map((c) => shownNorm(state, c)).filter((n): n is { label: string; value: number } => n !== undefined);
      if (norms.length > 0) {
        const values = norms.map((n) => n.value);
        const low = Math.min(...values);
        const high = Math.max(...values);
        const value = low === high || norms.length === 1 ? formatNumber(norms[0].value) : `${formatNumber(low)}…${formatNumber(high)}`;
        parts.push(`${norms[0].label} ${value}${flaggedLines.has(line) ? ' ⚠' : ''}`);
      }
    }
    if (parts.length === 0) continue;
    hints.push({ position: leaf.range.end, label: parts.join('  '), kind: InlayHintKind.Type, paddingLeft: true });
  }
  return hints;
}

/** The `model` line (else the first statement): where the gradient check's lens and hover sit. */
export function modelLine(state: DocumentState): number | undefined {
  const statements = state.document.statements;
  return (statements.find((s) => s.keyword.text === 'model') ?? statements[0])?.range.start.line;
}

/** `Check Gradients`, or after a check `Gradient check: good · Check again`. */
function gradcheckLens(state: DocumentState): CodeLens | undefined {
  const line = modelLine(state);
  if (line === undefined || !state.spec) return undefined;
  const report = state.gradcheck?.report;
  const verdict = report ? `Gradient check: ${report.band ?? 'kinks only'}${report.kinked > 0 ? ` (${formatCount(report.kinked)} kink crossings explained)` : ''} · Check again` : 'Check Gradients';
  return { range: { start: { line, character: 0 }, end: { line, character: 0 } }, command: { title: verdict, command: 'gradlens.checkGradients', arguments: [state.uri] } };
}

export function codeLenses(state: DocumentState): CodeLens[] {
  const spec = state.spec;
  const first = state.document.statements[0];
  if (!spec || !first) return [];
  const evidence = evidenceOf(state);
  const flags = state.published.filter((p) => p.finding && p.diagnostic.severity !== DiagnosticSeverity.Information).length;
  const parts = [`${spec.leaves.length} layers`, `${formatCount(spec.paramCount)} params`];
  if (evidence) parts.push(flags === 1 ? '1 flag' : `${flags} flags`);
  parts.push('Train and Inspect');
  const lenses: CodeLens[] = [{
    range: { start: first.range.start, end: first.range.start },
    command: { title: parts.join(' · '), command: 'gradlens.trainAndInspect', arguments: [state.uri] },
  }];
  const check = gradcheckLens(state);
  if (check) lenses.push(check);
  return lenses;
}
