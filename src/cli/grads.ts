// `gradlens grads`: the exact weights and gradients of one training batch — the user's
// "show me the numbers" view, and the interface tests use to compare against other engines.

import { gradientsAt, GradientsError, type GradientReport } from '../engine';
import { formatNumber } from '../analysis/format';
import type { Output } from './inspect';
import { loadNetwork } from './load';

export function grads(options: { file: string; json: boolean; after: number; dtype: 'float32' | 'float64'; weights?: string }, out: Output): number {
  const loaded = loadNetwork(options.file, options.weights);
  if (!loaded.ok) {
    for (const error of loaded.errors) out.stderr(error);
    return 2;
  }
  for (const warning of loaded.warnings) out.stderr(warning);
  let report: GradientReport;
  try {
    report = gradientsAt(loaded.spec, loaded.dataset, { after: options.after, dtype: options.dtype });
  } catch (error) {
    // Data that cannot feed the network (the engine's check); anything else is a bug.
    if (!(error instanceof GradientsError)) throw error;
    out.stderr(`${options.file}: data-mismatch: ${error.message}`);
    return 2;
  }
  out.stdout(options.json ? JSON.stringify(asJson(report)) : renderGradients(report, options.after));
  return Number.isFinite(report.loss) ? 0 : 1;
}

/** The report as `--json` gives it: each example of batch.x nested in the input shape (an image [C][H][W], a sequence [T][F]). */
function asJson(report: GradientReport): unknown {
  if (report.inputShape.length === 1) return report;
  return { ...report, batch: { ...report.batch, x: report.batch.x.map((row) => nest(row, report.inputShape)) } };
}

/** Row-major values as nested arrays of `shape`. */
function nest(values: number[], shape: readonly number[]): unknown[] {
  if (shape.length === 1) return values;
  const inner = shape.slice(1), size = inner.reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(values.slice(i * size, (i + 1) * size), inner));
}

/** Per parameter: shape, norms of the values and gradients, and the first few numbers. */
function renderGradients(report: GradientReport, after: number): string {
  const lines = [`loss ${formatNumber(report.loss)} on a batch of ${report.batch.x.length} examples${after > 0 ? `, after ${after} steps` : ', at initialisation'}`];
  for (const layer of report.layers) {
    if (layer.params.length === 0) continue;
    lines.push('', `${layer.name}  ${layer.kind}${layer.activation && layer.activation !== 'linear' ? ` ${layer.activation}` : ''}  (line ${layer.line + 1})`);
    for (const param of layer.params) {
      lines.push(
        `  ${param.name} [${param.shape.join(', ')}]  ‖${param.name}‖ ${formatNumber(norm(param.value))}  ‖∇${param.name}‖ ${formatNumber(norm(param.grad))}`,
        `    ∇ ${preview(param.grad)}`,
      );
    }
  }
  return lines.join('\n');
}

function norm(values: number[]): number {
  return Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
}

function preview(values: number[], count = 6): string {
  const shown = values.slice(0, count).map(formatNumber).join(' ');
  return values.length > count ? `${shown} … (${values.length} values; --json for all)` : shown;
}
