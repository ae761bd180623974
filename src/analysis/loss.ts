// loss-not-decreasing (full runs only): the smoothed loss has made no new low for
// `lossWindow` steps while still far above where it started — the patience rule of Keras's
// EarlyStopping/ReduceLROnPlateau, restricted to runs that have not learned (a plateau after
// the loss fell by half is convergence, not a broken gradient path).

import type { RunResult } from '../engine/telemetry';
import type { NetworkSpec, Thresholds } from '../lang/spec';
import type { FixSuggestion } from '../lang/rewrites';
import type { LayerFinding } from './types';
import { formatNumber } from './format';
import { hasParams, lastLeafLine } from './network';
import { scaleLr } from './remedies';
import { RUN_WINDOW, log10UpdateRatio, median, statsOf } from './window';

/** A new low must beat the previous best by this fraction to count as a decrease (above smoothed noise). */
export const MIN_RELATIVE_DECREASE = 0.01;
/** A run whose loss has fallen below this fraction of its initial loss has learned something. */
export const LEARNED_FRACTION = 0.5;

export const LOSS_EXPLANATION =
  'The loss has stopped going down while still near where it started, so the network is not learning. ' +
  'Check the other flags (vanishing, dead or saturated layers); otherwise the learning rate is usually too small (tiny update ratios) or too large (the loss bounces).';

/** Moving average over `span` steps (trailing), so one noisy batch does not look like progress. */
function smooth(losses: number[], span: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < losses.length; i++) {
    sum += losses[i];
    if (i >= span) sum -= losses[i - span];
    out.push(sum / Math.min(i + 1, span));
  }
  return out;
}

/** Smallest of values[from..to) — a loop, not Math.min(...), which overflows the stack on 100k steps. */
function lowest(values: number[], from: number, to: number): number {
  let min = Infinity;
  for (let i = from; i < to; i++) if (values[i] < min) min = values[i];
  return min;
}

export function lossNotDecreasing(spec: NetworkSpec, run: RunResult, thresholds: Thresholds): LayerFinding[] {
  const window = Math.max(2, Math.round(thresholds.lossWindow));
  const span = Math.max(1, Math.round(window / 5));
  const frames = run.nonFinite ? [] : run.frames;
  // Warm-up: the first `span` steps, before the moving average is full.
  if (frames.length < span + window + 1) return [];
  const smoothed = smooth(frames.map((f) => f.loss), span);
  if (!smoothed.every(Number.isFinite)) return [];
  const split = smoothed.length - window;
  const bestBefore = lowest(smoothed, span - 1, split);
  const bestSince = lowest(smoothed, split, smoothed.length);
  const start = Number.isFinite(run.initialLoss) ? run.initialLoss : smoothed[span - 1];
  const current = smoothed[smoothed.length - 1];
  if (bestSince < bestBefore * (1 - MIN_RELATIVE_DECREASE)) return [];
  if (current < LEARNED_FRACTION * start) return [];
  return [{
    code: 'loss-not-decreasing',
    severity: 'warning',
    line: lastLeafLine(spec),
    message: `Loss not decreasing: smoothed loss ${formatNumber(current)} at step ${frames[frames.length - 1].step}, no new low in the last ${window} steps (best before ${formatNumber(bestBefore)}; initial ${formatNumber(start)})`,
    explanation: LOSS_EXPLANATION,
    evidence: { loss: current, bestBefore, bestInWindow: bestSince, initialLoss: start, lossWindow: window },
    fixes: lrDirection(spec, run),
  }];
}

/** Suggest an lr change only when the update ratios say which way (median over layers and the last steps). */
function lrDirection(spec: NetworkSpec, run: RunResult): FixSuggestion[] {
  const logs: number[] = [];
  for (const frame of run.frames.slice(-RUN_WINDOW)) {
    for (const leaf of spec.leaves) {
      if (!hasParams(leaf)) continue;
      const stats = statsOf(frame, leaf.index);
      const log = stats && log10UpdateRatio(stats);
      if (log !== undefined && Number.isFinite(log)) logs.push(log);
    }
  }
  const typical = median(logs);
  if (typical < -4) return scaleLr(spec, 10);
  if (typical > -2) return scaleLr(spec, 0.1);
  return [];
}
