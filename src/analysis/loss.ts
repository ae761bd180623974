// loss-not-decreasing (full runs only): the smoothed loss has made no new low for
// `lossWindow` steps while still far above where it started — the patience rule of Keras's
// EarlyStopping/ReduceLROnPlateau, restricted to runs that have not learned (a plateau after
// the loss fell by half is convergence, not a broken gradient path). The curve streams in
// (LossTrend): a run of any length is judged in O(window) memory.

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
 * The loss curve of a run as it streams in, in O(window) memory: the trailing moving average
 * (over `span` steps, so one noisy batch does not look like progress), its lowest value before
 * the latest `window` steps (from the first full average on) and within them, and the latest
 * frames (the lr fix reads their update ratios).
 */
export class LossTrend {
  readonly window: number;
  readonly span: number;
  /** The last `span` losses and the last `window` moving averages, as rings. */
  private readonly losses: Float64Array;
  private readonly smoothed: Float64Array;
  private readonly recent: StepFrame[] = [];
  private sum = 0;
  private count = 0;
  private finite = true;
  private bestBefore = Infinity;
  /** The first full moving average (the run's start when the initial loss is unknown). */
  private firstSmoothed = NaN;
  private current = NaN;
  private lastStep = 0;

  constructor(thresholds: Thresholds) {
    this.window = Math.max(2, Math.round(thresholds.lossWindow));
    this.span = Math.max(1, Math.round(this.window / 5));
    this.losses = new Float64Array(this.span);
    this.smoothed = new Float64Array(this.window);
  }

  add(frame: StepFrame): void {
    const { span, window } = this;
    const i = this.count++;
    const loss = frame.loss;
    if (!Number.isFinite(loss)) this.finite = false;
    this.sum += loss;
    if (i >= span) this.sum -= this.losses[i % span];
    this.losses[i % span] = loss;
    this.current = this.sum / Math.min(i + 1, span);
    if (i === span - 1) this.firstSmoothed = this.current;
    // The average `window` steps back leaves the latest window for the "before" part.
    if (i >= window && i - window >= span - 1) this.bestBefore = Math.min(this.bestBefore, this.smoothed[(i - window) % window]);
    this.smoothed[i % window] = this.current;
    this.lastStep = frame.step;
    if (this.recent.length === RUN_WINDOW) this.recent.shift();
    this.recent.push(frame);
  }

  /** The numbers the rule reads; undefined before a warm-up span and a whole window have passed, or when a loss was not finite. */
  lows(): { before: number; since: number; current: number; first: number; step: number; recent: readonly StepFrame[] } | undefined {
    if (!this.finite || this.count < this.span + this.window + 1) return undefined;
    let since = Infinity;
    for (let k = 0; k < this.window; k++) since = Math.min(since, this.smoothed[k]);
    return { before: this.bestBefore, since, current: this.current, first: this.firstSmoothed, step: this.lastStep, recent: this.recent };
  }
}

export function lossNotDecreasing(spec: NetworkSpec, trend: LossTrend, run: Pick<RunResult, 'initialLoss' | 'nonFinite'>): LayerFinding[] {
  const lows = run.nonFinite ? undefined : trend.lows();
  if (lows === undefined) return [];
  const { before: bestBefore, since: bestSince, current } = lows;
  const window = trend.window;
  const start = Number.isFinite(run.initialLoss) ? run.initialLoss : lows.first;
  if (bestSince < bestBefore * (1 - MIN_RELATIVE_DECREASE)) return [];
  if (current < LEARNED_FRACTION * start) return [];
  return [{
    code: 'loss-not-decreasing',
    severity: 'warning',
    line: lastLeafLine(spec),
    message: `Loss not decreasing: smoothed loss ${formatNumber(current)} at step ${lows.step}, no new low in the last ${window} steps (best before ${formatNumber(bestBefore)}; initial ${formatNumber(start)})`,
    explanation: LOSS_EXPLANATION,
    evidence: { loss: current, bestBefore, bestInWindow: bestSince, initialLoss: start, lossWindow: window },
    fixes: lrDirection(spec, lows.recent, current > start * (1 + MIN_RELATIVE_DECREASE)),
  }];
}

/** The loss swings by more than this factor within the last steps: it bounces (the lr overshoots). */
export const BOUNCE_FACTOR = 3;

/**
 * Suggest an lr change only when the run says which way. Lower it when some layer's updates
 * are large (its median update ratio over the last steps above 1e-2), when the loss has risen
 * above where it started, or when it bounces: a larger lr would make each of these worse
 * (a run at lr=30 whose weights had blown up and whose ReLUs had died showed tiny updates at
 * the end, and was told to try lr=300). Raise it only when every layer's updates are tiny
 * (below 1e-4) and the loss did neither.
 */
function lrDirection(spec: NetworkSpec, recent: readonly StepFrame[], rose: boolean): FixSuggestion[] {
  const layers: number[] = [];
  for (const leaf of spec.leaves) {
    if (!hasParams(leaf)) continue;
    const logs: number[] = [];
    for (const frame of recent) {
      const stats = statsOf(frame, leaf.index);
      const log = stats && log10UpdateRatio(stats);
      if (log !== undefined && Number.isFinite(log)) logs.push(log);
    }
    if (logs.length > 0) layers.push(median(logs));
  }
  const losses = recent.map((f) => f.loss).filter((l) => Number.isFinite(l) && l > 0);
  const bounces = losses.length > 1 && Math.max(...losses) > BOUNCE_FACTOR * Math.min(...losses);
  if (rose || bounces || layers.some((log) => log > -2)) return scaleLr(spec, 0.1);
  if (layers.length > 0 && layers.every((log) => log < -4)) return scaleLr(spec, 10);
  return [];
}
