// Which steps a rule looks at, and how it votes over them. A probe is a handful of steps
// at initialisation: all of them count. A full run is judged on its latest steps, so the
// flags describe the network as it is now, not as it was at step 1.

import type { LayerStats, RunResult, StepFrame } from '../engine/telemetry';

/** Steps at the end of a full run that the per-layer rules judge. */
export const RUN_WINDOW = 20;

/** Frames before the window from which a run's running median gradient norm is taken. */
export const MEDIAN_HISTORY = 200;

/**
 * The frames the per-layer rules judge. Frames from the step that produced a non-finite value
 * onward are left out: their numbers are NaN/Inf, and `nonfinite-gradient` reports them.
 */
export function analysisWindow(run: RunResult, mode: 'probe' | 'run'): StepFrame[] {
  let frames = run.frames;
  if (run.nonFinite) {
    const firstBad = run.nonFinite.step;
    const end = frames.findIndex((f) => f.step >= firstBad);
    if (end >= 0) frames = frames.slice(0, end);
  }
  return mode === 'probe' ? frames : frames.slice(Math.max(0, frames.length - RUN_WINDOW));
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
