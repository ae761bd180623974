// The run as a file: JSON (description, status, findings and every series) and CSV (one
// row per step, one column per series). Built from the full-resolution series; a run
// restored after a reload only has its envelopes, and exports their bucket values.

import type { Envelope } from './envelope';
import type { Run } from './run';

interface Columns {
  step: ArrayLike<number>;
  loss: ArrayLike<number>;
  accuracy: ArrayLike<number>;
  valLoss: ArrayLike<number>;
  valAccuracy: ArrayLike<number>;
  gradNorm: ArrayLike<number>[];
  updateRatio: ArrayLike<number>[];
  length: number;
  /** True when the columns are bucket summaries (last value of each bucket), not every step. */
  downsampled: boolean;
}

export function exportJson(run: Run): string {
  const c = columns(run);
  const list = (a: ArrayLike<number>) => Array.from({ length: c.length }, (_, k) => finiteOrNull(a[k]));
  const layerList = (a: ArrayLike<number>) => Array.from({ length: c.length }, (_, k) => finiteOrNull(shortestFloat32(a[k])));
  return JSON.stringify(
    {
      runId: run.info.runId,
      uri: run.info.uri,
      fileName: run.info.fileName,
      model: run.info.model,
      totalSteps: run.info.totalSteps,
      status: run.status,
      stale: run.stale,
      downsampled: c.downsampled,
      layers: run.layers.map((layer, i) => ({
        ...layer,
        findings: run.layerFindings(i),
        gradNorm: layerList(c.gradNorm[i]),
        updateRatio: layerList(c.updateRatio[i]),
      })),
      steps: list(c.step),
      loss: list(c.loss),
      accuracy: list(c.accuracy),
      valLoss: list(c.valLoss),
      valAccuracy: list(c.valAccuracy),
      findings: run.findings,
    },
    null,
    1,
  );
}

export function exportCsv(run: Run): string {
  const c = columns(run);
  const header = ['step', 'loss', 'accuracy', 'valLoss', 'valAccuracy'];
  for (const layer of run.layers) header.push(`${layer.name}.gradNorm`, `${layer.name}.updateRatio`);
  const lines = [header.map(csvField).join(',')];
  for (let k = 0; k < c.length; k++) {
    const row = [c.step[k], c.loss[k], c.accuracy[k], c.valLoss[k], c.valAccuracy[k]];
    for (let i = 0; i < run.layers.length; i++) row.push(shortestFloat32(c.gradNorm[i][k]), shortestFloat32(c.updateRatio[i][k]));
    lines.push(row.map(csvNumber).join(','));
  }
  return lines.join('\n') + '\n';
}

/** `deep-sigmoid.net` → `deep-sigmoid-run.csv`. */
export function exportFileName(run: Run, format: 'json' | 'csv'): string {
  return `${run.info.fileName.replace(/\.net$/, '')}-run.${format}`;
}

function columns(run: Run): Columns {
  const full = run.full;
  if (full) {
    const n = full.length;
    return {
      step: full.steps.subarray(0, n),
      loss: full.loss.subarray(0, n),
      accuracy: full.accuracy.subarray(0, n),
      valLoss: full.valLoss.subarray(0, n),
      valAccuracy: full.valAccuracy.subarray(0, n),
      gradNorm: run.layers.map((_, i) => full.gradNorm(i)),
      updateRatio: run.layers.map((_, i) => full.updateRatio(i)),
      length: n,
      downsampled: false,
    };
  }
  const lasts = (e: Envelope) => e.last.subarray(0, e.count);
  return {
    step: run.loss.lastX.subarray(0, run.loss.count),
    loss: lasts(run.loss),
    accuracy: lasts(run.accuracy),
    valLoss: lasts(run.valLoss),
    valAccuracy: lasts(run.valAccuracy),
    gradNorm: run.gradNorm.map(lasts),
    updateRatio: run.updateRatio.map(lasts),
    length: run.loss.count,
    downsampled: true,
  };
}

/**
 * A float32 value written with the fewest digits that read back to the same float32
 * (3.2e-7, not 3.2000000762939453e-7). Values that are not float32 pass unchanged.
 */
export function shortestFloat32(v: number): number {
  if (!Number.isFinite(v) || v === 0 || Math.fround(v) !== v) return v;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(v.toPrecision(digits));
    if (Math.fround(candidate) === v) return candidate;
  }
  return Number(v.toPrecision(9));
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** Empty for a missing value; NaN and infinities spelled out, as a spreadsheet reads them. */
function csvNumber(v: number): string {
  if (Number.isNaN(v)) return '';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return String(v);
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

