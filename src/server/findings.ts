// Gradient-health findings → diagnostics on the layer lines. The copies of a `repeat`
// share a line, so their findings merge into one diagnostic per (line, code) that names
// the copies and quotes the worst evidence; the fixes of every copy stay attached.

import type { Diagnostic as LspDiagnostic, Range as LspRange } from 'vscode-languageserver/node';
import type { FindingCode, LayerFinding } from '../analysis/types';
import type { FixSuggestion } from '../lang/rewrites';
import type { NetworkSpec } from '../lang/spec';
import { toLspRange, toLspSeverity } from './lspConvert';

export interface FindingDiagnostic {
  diagnostic: LspDiagnostic;
  code: FindingCode;
  /** Leaf indices of the merged findings. */
  layers: number[];
  findings: LayerFinding[];
  fixes: FixSuggestion[];
}

const SEVERITY_RANK = { error: 0, warning: 1, information: 2 } as const;

/** Codes whose evidence is worse when smaller (a gradient that vanishes, an update too small). */
const WORSE_WHEN_SMALLER = new Set<FindingCode>(['vanishing-gradient', 'update-ratio-low']);

function primaryEvidence(finding: LayerFinding): number {
  const first = Object.values(finding.evidence)[0];
  return typeof first === 'number' && Number.isFinite(first) ? first : 0;
}

function worstOf(findings: LayerFinding[]): LayerFinding {
  return findings.reduce((worst, f) => {
    if (SEVERITY_RANK[f.severity] !== SEVERITY_RANK[worst.severity]) return SEVERITY_RANK[f.severity] < SEVERITY_RANK[worst.severity] ? f : worst;
    const [candidate, current] = [primaryEvidence(f), primaryEvidence(worst)];
    if (candidate === current) return worst;
    const candidateIsWorse = WORSE_WHEN_SMALLER.has(f.code) ? candidate < current : candidate > current;
    return candidateIsWorse ? f : worst;
  });
}

/** `dense_1…dense_9 (9 copies)` or `dense1, dense2`. */
export function copiesLabel(names: string[]): string {
  if (names.length <= 2) return names.join(', ');
  return `${names[0]}…${names[names.length - 1]} (${names.length} copies)`;
}

export function findingDiagnostics(
  findings: readonly LayerFinding[],
  spec: NetworkSpec,
  uri: string,
  lineRange: (line: number) => LspRange,
): FindingDiagnostic[] {
  const groups = new Map<string, LayerFinding[]>();
  for (const finding of findings) {
    const key = `${finding.line}\u0000${finding.code}`;
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  const result: FindingDiagnostic[] = [];
  for (const group of groups.values()) {
    const worst = worstOf(group);
    const layers = [...new Set(group.flatMap((f) => (f.layer === undefined ? [] : [f.layer])))].sort((a, b) => a - b);
    const names = layers.map((i) => spec.leaves[i]?.name ?? `layer ${i}`);
    const message = layers.length > 1 ? `${copiesLabel(names)}: ${worst.message}` : worst.message;
    const leaf = layers.length > 0 ? spec.leaves[layers[0]] : undefined;
    const range = leaf && leaf.line === worst.line ? toLspRange(leaf.range) : lineRange(worst.line);
    const related = new Map<string, { line: number; message: string }>();
    for (const r of group.flatMap((f) => f.related ?? [])) related.set(`${r.line}\u0000${r.message}`, r);
    const fixes = new Map<string, FixSuggestion>();
    for (const fix of group.flatMap((f) => f.fixes)) fixes.set(JSON.stringify(fix), fix);
    result.push({
      diagnostic: {
        range,
        severity: toLspSeverity(worst.severity),
        code: worst.code,
        source: 'gradlens',
        message,
        relatedInformation: related.size > 0 ? [...related.values()].map((r) => ({ location: { uri, range: lineRange(r.line) }, message: r.message })) : undefined,
      },
      code: worst.code,
      layers,
      findings: group,
      fixes: [...fixes.values()],
    });
  }
  return result.sort((a, b) => a.diagnostic.range.start.line - b.diagnostic.range.start.line);
}
