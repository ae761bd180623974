// Which steps a rule looks at, and how it votes over them. A probe is a handful of steps
// at initialisation: all of them count. A full run is judged over every window of
// `lossWindow` steps (episodes.ts), so a layer that vanished for the first 200 steps and then
// recovered is reported with when — neither averaged away nor forgotten.

import type { LayerStats, RunResult, StepFrame } from '../engine/telemetry';

/** Latest steps of a full run whose update ratios say which way loss-not-decreasing's lr fix goes. */
export const RUN_WINDOW = 20;

/**
 * The frames the per-layer rules judge. Frames from the step that produced a non-finite value
 * onward are left out: their numbers are NaN/Inf, and `nonfinite-gradient` reports them.
 */
export function judgedFrames(run: RunResult): StepFrame[] {
  if (!run.nonFinite) return run.frames;
  const firstBad = run.nonFinite.step;
  const end = run.frames.findIndex((f) => f.step >= firstBad);
  return end >= 0 ? run.frames.slice(0, end) : run.frames;
}

/** A flag holds for "most steps" when it holds in more than half of them. */
export function isMost(count: number, steps: number): boolean {
  return steps > 0 && count * 2 > steps;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A leaf's stats in a frame (frames list leaves in order; tolerate a frame that does not). */
export function statsOf(frame: StepFrame, index: number): LayerStats | undefined {
  const direct = frame.layers[index];
  if (direct && direct.index === index) return direct;
  return frame.layers.find((s) => s.index === index);
}

/**
 * The layer's update-to-weight ratio ‖ΔW‖/‖W‖ over all its parameter tensors together:
 * sqrt(Σ (ratioₚ·‖p‖)²) / sqrt(Σ ‖p‖²). Tensors at zero (biases at init) have no ratio and
 * weigh nothing. Undefined when every tensor is zero.
 */
export function layerUpdateRatio(stats: LayerStats): number | undefined {
  let update = 0;
  let weight = 0;
  for (const p of stats.params) {
    if (!(p.weightNorm > 0)) continue;
    update += (p.updateRatio * p.weightNorm) ** 2;
    weight += p.weightNorm ** 2;
  }
  if (!(weight > 0)) return undefined;
  const ratio = Math.sqrt(update / weight);
  return Number.isFinite(ratio) ? ratio : undefined;
}

/** log10 of the update ratio (-Infinity when the weights did not move), undefined when there is none. */
export function log10UpdateRatio(stats: LayerStats): number | undefined {
  const ratio = layerUpdateRatio(stats);
  return ratio === undefined ? undefined : Math.log10(ratio);
}
