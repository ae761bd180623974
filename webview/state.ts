// What the inspector saves with vscode.setState so that a window reload (the extension's
// WebviewPanelSerializer) restores the view. VS Code stores it as JSON in memory, so it
// must stay small: series are saved as envelopes of a few hundred buckets at most.

import type { FindingInfo } from '../src/protocol/lsp';
import type { RunStart } from '../src/protocol/webview';
import type { ShownGradCheck } from './views/gradcheck';
import { Envelope } from './envelope';
import { Run, type HistogramRecord, type RunEnvelopeSnapshots, type RunStatus } from './run';

export interface SavedRun {
  info: RunStart;
  status: RunStatus;
  stale: boolean;
  step: number;
  findings: FindingInfo[];
  series: RunEnvelopeSnapshots;
  /** Histograms of the selected layer only. */
  histograms: HistogramRecord[];
  latestFindings: string[][];
}

export interface SavedInspector {
  /** 2: findings renamed from flags (a state saved by version 1 is not restored). */
  version: 2;
  current?: SavedRun;
  previous?: SavedRun;
  selected?: number;
  /** The gradient check on show: it outlives runs, so no run's replay brings it back. */
  gradcheck?: ShownGradCheck;
}

/** Total numbers a saved run may hold across its series (≈ 400 kB of JSON). */
const NUMBER_BUDGET = 50_000;
/** Numbers saved per bucket: firstX, lastX, samples, min, max, last, logMean. */
const NUMBERS_PER_BUCKET = 7;

export function bucketsToSave(layers: number): number {
  const series = 4 + 2 * layers;
  const buckets = Math.floor(NUMBER_BUDGET / (series * NUMBERS_PER_BUCKET));
  // Envelopes merge pairwise, so a power of two, between 16 and 512.
  return Math.max(16, Math.min(512, 2 ** Math.floor(Math.log2(Math.max(1, buckets)))));
}

export function saveRun(run: Run, selected: number | undefined): SavedRun {
  const buckets = bucketsToSave(run.layers.length);
  return {
    info: run.info,
    status: run.status,
    stale: run.stale,
    step: run.step,
    findings: run.findings,
    series: {
      loss: run.loss.snapshot(buckets),
      accuracy: run.accuracy.snapshot(buckets),
      valLoss: run.valLoss.snapshot(buckets),
      valAccuracy: run.valAccuracy.snapshot(buckets),
      gradNorm: run.gradNorm.map((e) => e.snapshot(buckets)),
      updateRatio: run.updateRatio.map((e) => e.snapshot(buckets)),
    },
    histograms: run.histograms.filter((h) => h.layer === selected),
    latestFindings: run.now.map((n) => n.findings),
  };
}

export function restoreRun(saved: SavedRun): Run {
  const s = saved.series;
  const run = new Run(saved.info, {
    loss: Envelope.restore(s.loss),
    accuracy: Envelope.restore(s.accuracy),
    valLoss: Envelope.restore(s.valLoss),
    valAccuracy: Envelope.restore(s.valAccuracy),
    gradNorm: s.gradNorm.map((e) => Envelope.restore(e)),
    updateRatio: s.updateRatio.map((e) => Envelope.restore(e)),
  });
  run.status = saved.status;
  run.stale = saved.stale;
  run.step = saved.step;
  run.findings = saved.findings;
  run.histograms = saved.histograms;
  saved.latestFindings.forEach((codes, i) => {
    if (run.now[i]) run.now[i].findings = codes;
  });
  return run;
}
