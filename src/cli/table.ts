// The human view of a run: one row per layer (the numbers a reader scans for the layer
// that stopped learning), the loss curve as a sparkline, then each flag with its evidence.

import type { LayerFinding } from '../analysis/types';
import type { Dataset } from '../engine/data';
import type { LayerStats, RunResult, StepFrame } from '../engine/telemetry';
import type { LayerNode, LeafLayer, NetworkSpec } from '../lang/spec';
import { FAIL_ON_NAMES } from './args';
import { formatCount, formatNumber } from '../analysis/format';
import { formatDuration } from './format';
import { sparkline } from './sparkline';
import { layerLabel, outputShapeOf } from '../kinds';

export interface InspectReport {
  file: string;
  spec: NetworkSpec;
  dataset: Dataset;
  /** Its frames are the run's history: every step of a short run, an evenly spaced subset of a long one. */
  run: RunResult;
  /** The last frame with validation numbers, when the data has a validation split. */
  validated?: StepFrame;
  findings: LayerFinding[];
  milliseconds: number;
}

export function renderReport(report: InspectReport): string {
  const { file, spec, dataset, run, validated, findings, milliseconds } = report;
  const lines: string[] = [];
  const title = spec.name ? `${file} — ${spec.name}` : file;
  lines.push(
    `${title}: ${formatCount(spec.paramCount)} parameters, data ${dataset.source} (${dataset.train.n} training examples` +
      `${dataset.validation ? `, ${dataset.validation.n} validation` : ''}), ${run.steps} steps in ${formatDuration(milliseconds)}`,
  );
  lines.push('');
  lines.push(...layerTable(spec, run, findings));
  lines.push('');
  lines.push(...curves(run, validated));
  if (run.nonFinite) lines.push('', divergence(run));
  if (run.reason === 'cancelled') lines.push('', 'run cancelled');
  if (findings.length > 0) {
    lines.push('', 'Flags:');
    for (const finding of findings) lines.push(`  ${findingLine(spec, finding)}`);
  } else {
    lines.push('', 'No gradient-health flags.');
  }
  return lines.join('\n');
}

const SHORT_NAME = new Map(Object.entries(FAIL_ON_NAMES).map(([short, code]) => [code as string, short]));

function layerTable(spec: NetworkSpec, run: RunResult, findings: LayerFinding[]): string[] {
  const depth = nestingDepths(spec.layers);
  const header = ['layer', 'kind', 'shape', 'params', '‖∇W‖ first', 'median', 'last', 'update', 'flags'];
  const rows = spec.leaves.map((leaf) => {
    const stats = run.frames.map((frame) => statsOf(frame.layers, leaf.index)).filter((s): s is LayerStats => s !== undefined);
    const hasParams = leaf.params.length > 0 && stats.length > 0;
    const norms = stats.map((s) => s.gradNorm);
    const ratios = stats.map((s) => s.params[0]?.updateRatio).filter((r): r is number => r !== undefined);
    const flags = findings.filter((f) => f.layer === leaf.index).map((f) => SHORT_NAME.get(f.code) ?? f.code);
    return [
      '  '.repeat(depth.get(leaf.index) ?? 0) + leaf.name,
      layerLabel(leaf),
      `[${[spec.train.batch, ...outputShapeOf(leaf)].join(', ')}]`,
      leaf.params.length > 0 ? formatCount(leaf.params.reduce((sum, p) => sum + p.count, 0)) : '—',
      hasParams ? formatNumber(norms[0]!) : '—',
      hasParams ? formatNumber(median(norms)) : '—',
      hasParams ? formatNumber(norms[norms.length - 1]!) : '—',
      hasParams && ratios.length > 0 ? formatNumber(median(ratios)) : '—',
      [...new Set(flags)].join(', '),
    ];
  });
  return alignColumns([header, ...rows], [false, false, false, true, true, true, true, true, false]);
}

function statsOf(layers: LayerStats[], index: number): LayerStats | undefined {
  return layers[index]?.index === index ? layers[index] : layers.find((l) => l.index === index);
}


/** How many residual blocks enclose each leaf, for indenting its name. */
function nestingDepths(nodes: LayerNode[], depth = 0, into = new Map<number, number>()): Map<number, number> {
  for (const node of nodes) {
    if (node.kind === 'residual') nestingDepths(node.body, depth + 1, into);
    else into.set(node.index, depth);
  }
  return into;
}

function curves(run: RunResult, validated: StepFrame | undefined): string[] {
  const losses = run.frames.map((f) => f.loss);
  if (losses.length === 0) return [`loss at initialisation ${formatNumber(run.initialLoss)} (no steps ran)`];
  const lines = [`loss ${formatNumber(losses[0]!)} ${sparkline(losses)} ${formatNumber(losses[losses.length - 1]!)}`];
  const last = run.frames[run.frames.length - 1]!;
  const extras: string[] = [];
  if (last.accuracy !== undefined) extras.push(`accuracy ${formatNumber(last.accuracy)}`);
  if (validated) {
    extras.push(`validation loss ${formatNumber(validated.valLoss!)}`);
    if (validated.valAccuracy !== undefined) extras.push(`validation accuracy ${formatNumber(validated.valAccuracy)}`);
  }
  if (extras.length > 0) lines.push(`last step: ${extras.join(', ')}`);
  return lines;
}

/** Where the first NaN/Inf came from: the engine's report names the step, op, layer and line. */
function divergence(run: RunResult): string {
  const report = run.nonFinite!;
  if (report.message) return `diverged: ${report.message}`;
  const where = report.layerName !== undefined ? `layer ${report.layerName}${report.line !== undefined ? ` (line ${report.line + 1})` : ''}` : 'the loss';
  return `diverged at step ${report.step}: first non-finite value from ${report.op} in the ${report.phase} pass of ${where}`;
}

function findingLine(spec: NetworkSpec, finding: LayerFinding): string {
  const layer = finding.layer !== undefined ? spec.leaves[finding.layer]?.name : undefined;
  const where = `${layer ?? 'network'} (line ${finding.line + 1})`;
  return `${finding.severity === 'error' ? 'error' : finding.severity === 'warning' ? 'warning' : 'info'} ${finding.code} ${where}: ${finding.message}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Pads cells into columns; numbers right-aligned. Width counts code points (‖ and ∇ are one column). */
export function alignColumns(rows: string[][], rightAligned: boolean[]): string[] {
  const width = (text: string): number => [...text].length;
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => width(row[c] ?? ''))));
  return rows.map((row) =>
    row
      .map((cell, c) => {
        const pad = ' '.repeat(widths[c]! - width(cell));
        return rightAligned[c] ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}
