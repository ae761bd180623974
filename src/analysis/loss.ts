// loss-not-decreasing (full runs only): the smoothed loss has made no new low for
// `lossWindow` steps while still far above where it started — the patience rule of Keras's
// EarlyStopping/ReduceLROnPlateau, restricted to runs that have not learned (a plateau after
// the loss fell by half is convergence, not a broken gradient path).

import type { RunResult, StepFrame } from '../engine/telemetry';
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

/**
 * The lowest trailing moving average (over `span` steps, so one noisy batch does not look like
 * progress) among steps [from, split) and among [split, end), and the last one. One pass, no
 * copy of the losses: it runs on every telemetry flush of a live run of up to 100k steps.
 * NaN when any loss is not finite.
 */
function smoothedLows(frames: StepFrame[], span: number, from: number, split: number): { before: number; since: number; current: number } {
  let sum = 0;
  let before = Infinity;
  let since = Infinity;
  let current = NaN;
  for (let i = 0; i < frames.length; i++) {
    const loss = frames[i].loss;
    if (!Number.isFinite(loss)) return { before: NaN, since: NaN, current: NaN };
    sum += loss;
    if (i >= span) sum -= frames[i - span].loss;
    current = sum / Math.min(i + 1, span);
    if (i >= from && i < split && current < before) before = current;
    if (i >= split && current < since) since = current;
  }
  return { before, since, current };
}

export function lossNotDecreasing(spec: NetworkSpec, run: RunResult, thresholds: Thresholds): LayerFinding[] {
  const window = Math.max(2, Math.round(thresholds.lossWindow));
  const span = Math.max(1, Math.round(window / 5));
  const frames = run.nonFinite ? [] : run.frames;
  // Warm-up: the first `span` steps, before the moving average is full.
  if (frames.length < span + window + 1) return [];
  const { before: bestBefore, since: bestSince, current } = smoothedLows(frames, span, span - 1, frames.length - window);
  if (!Number.isFinite(current)) return [];
  const start = Number.isFinite(run.initialLoss) ? run.initialLoss : smoothedAt(frames, span, span - 1);
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
/** The moving average over `span` steps ending at step index `at`. */
function smoothedAt(frames: StepFrame[], span: number, at: number): number {
  let sum = 0;
  for (let i = Math.max(0, at - span + 1); i <= at; i++) sum += frames[i].loss;
  return sum / Math.min(at + 1, span);
}

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
