// Causes before symptoms. A run that collapses — non-finite values, every gradient exactly
// zero, the loss ×10 above its start — shows a dozen symptoms at once: every layer's update
// ratio off, dead ReLUs, saturated outputs. The user needs the first cause and the step it
// happened at, in this order of evidence (PyTorch's detect_anomaly naming the first producer is
// the model): the init, when the signal already grows or shrinks through depth at step 1
// (signal-gain.ts); else the first step whose update ratio exceeded 1 — the optimizer moved
// the weights by more than their own size, so lr is ≈ ratio/1e-3 times too large (Karpathy's
// healthy 1e-3); else, for a network dead from the start, the layer where the gradient stops.
// This file finds the collapse and its step-cause; index.ts folds the symptoms into it.

import type { RunResult, StepFrame } from '../engine/telemetry';
import type { LeafLayer, NetworkSpec } from '../lang/spec';
import type { LayerFinding } from './types';
import { formatNumber } from './format';
import { hasParams, initName, isAffine, lastLeafLine } from './network';
import { HEALTHY_LOG10_UPDATE_RATIO, addClip, distinct, lrTowardHealthy, matchInits, widenTo } from './remedies';
import { initScale, narrowStack } from './signal-gain';
import { log10UpdateRatio, statsOf } from './window';

/** The loss this many times its start is diverging (an order of magnitude: no noisy batch does that at init). */
export const DIVERGENCE_FACTOR = 10;
/** log10 of an update ratio that rewrites the weights: the step was larger than the weights themselves. */
export const OVERWRITE_LOG10_RATIO = 0;

export interface Collapse {
  kind: 'nonfinite' | 'dead' | 'diverging';
  /** The first step of the collapsed state. */
  step: number;
  /** Diverging: the loss at the last judged step and its start. */
  loss?: number;
  start?: number;
}

/** A step that moved the weights more than their size: the lr's doing. */
export interface OverwriteStep {
  step: number;
  log10Ratio: number;
  layer: LeafLayer;
}

/** A bias: it can still learn the class prior of a network that is otherwise dead. */
const isBias = (name: string) => name === 'b' || name === 'beta' || name.startsWith('b_');

/** No weight tensor gets any gradient (biases may: the output's alone learns only the class prior). */
const allZero = (spec: NetworkSpec, frame: StepFrame) => spec.leaves.every((leaf) => {
  if (!hasParams(leaf)) return true;
  const stats = statsOf(frame, leaf.index);
  return stats !== undefined && stats.params.every((p) => isBias(p.name) || p.gradNorm === 0);
});

/**
 * The collapse a run or probe ended in, if any: non-finite values (the engine's report), every
 * parameter gradient exactly 0 for the last two or more judged steps, or a finite loss still
 * ×DIVERGENCE_FACTOR above its start at the last judged step.
 */
export function detectCollapse(spec: NetworkSpec, run: RunResult, frames: StepFrame[]): Collapse | undefined {
  if (run.nonFinite) return { kind: 'nonfinite', step: run.nonFinite.step };
  const last = frames[frames.length - 1];
  if (!last || !spec.leaves.some(hasParams)) return undefined;
  if (allZero(spec, last)) {
    // Back to where the zeros started, over at most CAUSE_SCAN steps (a live run is analysed on
    // every flush): "from step N on" stays true if they started earlier.
    let first = frames.length - 1;
    while (first > 0 && frames.length - first < CAUSE_SCAN && allZero(spec, frames[first - 1])) first--;
    if (frames.length - first >= 2 || frames.length === 1) return { kind: 'dead', step: frames[first].step };
  }
  const start = Number.isFinite(run.initialLoss) ? run.initialLoss : frames[0].loss;
  if (start > 0 && Number.isFinite(last.loss) && last.loss > DIVERGENCE_FACTOR * start) {
    const at = frames.find((f) => f.loss > DIVERGENCE_FACTOR * start) ?? last;
    return { kind: 'diverging', step: at.step, loss: last.loss, start };
  }
  return undefined;
}

/**
 * Frames a cause is looked for in: at most CAUSE_SCAN steps. The server analyses a live run on
 * every flush, so a scan must not grow with the run: a cause is a first step, or one shortly
 * before the collapse it caused.
 */
export const CAUSE_SCAN = 200;

/** Indices [from, to) of the frames before step `until`, the last CAUSE_SCAN of them (or the first CAUSE_SCAN from the start). */
function scanRange(frames: StepFrame[], until: number, fromStart: boolean): [number, number] {
  if (fromStart) return [0, Math.min(frames.length, CAUSE_SCAN)];
  // Frames are in step order: the first at or after `until` by bisection.
  let lo = 0;
  let hi = frames.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (frames[mid].step < until) lo = mid + 1;
    else hi = mid;
  }
  return [Math.max(0, lo - CAUSE_SCAN), lo];
}

/**
 * The first step before `until` whose largest layer update ratio exceeded 10^OVERWRITE_LOG10_RATIO,
 * among the CAUSE_SCAN steps before it (`until` finite: a collapse) or the first CAUSE_SCAN steps.
 */
export function firstOverwrite(spec: NetworkSpec, frames: StepFrame[], until: number): OverwriteStep | undefined {
  const [from, to] = scanRange(frames, until, !Number.isFinite(until));
  for (let i = from; i < to; i++) {
    const frame = frames[i];
    let best: OverwriteStep | undefined;
    for (const leaf of spec.leaves) {
      const stats = hasParams(leaf) ? statsOf(frame, leaf.index) : undefined;
      const log = stats && log10UpdateRatio(stats);
      if (log !== undefined && Number.isFinite(log) && log > OVERWRITE_LOG10_RATIO && (!best || log > best.log10Ratio)) best = { step: frame.step, log10Ratio: log, layer: leaf };
    }
    if (best) return best;
  }
  return undefined;
}

/** The largest finite update ratio of any layer before `until` (where a slower divergence started). */
function largestStep(spec: NetworkSpec, frames: StepFrame[], until: number): OverwriteStep | undefined {
  let best: OverwriteStep | undefined;
  const [from, to] = scanRange(frames, until, false);
  for (let i = from; i < to; i++) {
    const frame = frames[i];
    for (const leaf of spec.leaves) {
      const stats = hasParams(leaf) ? statsOf(frame, leaf.index) : undefined;
      const log = stats && log10UpdateRatio(stats);
      if (log !== undefined && Number.isFinite(log) && (!best || log > best.log10Ratio)) best = { step: frame.step, log10Ratio: log, layer: leaf };
    }
  }
  return best;
}

/** "step 1 moved dense3's weights 50× their size: lr is ≈5e4× too large". */
export function overwriteText(step: OverwriteStep): string {
  const ratio = 10 ** step.log10Ratio;
  const factor = 10 ** (step.log10Ratio - HEALTHY_LOG10_UPDATE_RATIO);
  return `step ${step.step} moved ${step.layer.name}'s weights ${formatNumber(ratio)}× their size: lr is ≈${formatNumber(factor)}× too large (healthy ‖ΔW‖/‖W‖ ≈ 1e-3)`;
}

export function collapseText(collapse: Collapse): string {
  switch (collapse.kind) {
    case 'nonfinite':
      return `non-finite values from step ${collapse.step}`;
    case 'dead':
      return `every weight gradient exactly 0 from step ${collapse.step} on (biases alone can still learn the class prior)`;
    case 'diverging':
      return `the loss ${formatNumber(collapse.loss!)} at the last step, ${formatNumber(collapse.loss! / collapse.start!)}× its start ${formatNumber(collapse.start!)} (above ×${DIVERGENCE_FACTOR} from step ${collapse.step})`;
  }
}

export const LOSS_DIVERGING_EXPLANATION =
  'The loss has risen far above where it started: training is moving away from a solution. ' +
  'The first cause is usually one step too large for the weights (the learning rate), sometimes an init whose signal grows through depth; the lr that makes the first step about 1e-3 of the weights, or clipping the gradient norm, fixes the former.';

export const DEAD_NETWORK_EXPLANATION =
  'Every weight gradient is exactly zero, so no weight can learn any more: no step will change them (a bias may still move, which learns only the average target). ' +
  'It follows a step that pushed every unit into a flat region (ReLUs dead, the output saturated) or an init that stops the gradient; the finding names which.';

/**
 * The collapse finding when its cause is a step (the init's own findings carry it otherwise):
 * `dead-network` or `loss-diverging`, with the step that overwrote the weights, or for a network
 * dead from its first step, the layer where the gradient stops. Non-finite collapses are
 * nonfinite-gradient's (index.ts adds the cause to it).
 */
export function collapseFinding(spec: NetworkSpec, frames: StepFrame[], collapse: Collapse, overwrite: OverwriteStep | undefined): LayerFinding | undefined {
  if (collapse.kind === 'nonfinite') return undefined;
  const code = collapse.kind === 'dead' ? 'dead-network' : 'loss-diverging';
  const title = collapse.kind === 'dead' ? 'Dead network' : 'Loss diverging';
  const evidence: Record<string, number> = { step: collapse.step };
  if (collapse.loss !== undefined) Object.assign(evidence, { loss: collapse.loss, initialLoss: collapse.start!, lossRatio: collapse.loss / collapse.start! });
  if (overwrite) {
    Object.assign(evidence, { causeStep: overwrite.step, updateRatio: 10 ** overwrite.log10Ratio, lrFactor: 10 ** (overwrite.log10Ratio - HEALTHY_LOG10_UPDATE_RATIO) });
    return {
      code,
      severity: collapse.kind === 'dead' ? 'error' : 'warning',
      layer: undefined,
      line: spec.optimizerStatement?.line ?? lastLeafLine(spec),
      message: `${title}: ${overwriteText(overwrite)}; after it, ${collapseText(collapse)}`,
      explanation: collapse.kind === 'dead' ? DEAD_NETWORK_EXPLANATION : LOSS_DIVERGING_EXPLANATION,
      evidence,
      related: [{ line: overwrite.layer.line, message: `${overwrite.layer.name}: ‖ΔW‖/‖W‖ ${formatNumber(10 ** overwrite.log10Ratio)} at step ${overwrite.step}.` }],
      // The lr that makes that step healthy: unlimited, the init is sound (no gain flag). Not
      // clip=1: it bounds a step to lr × 1, still far too large at such an lr (measured: at
      // sgd lr=1000 the loss kept diverging).
      fixes: lrTowardHealthy(spec, overwrite.log10Ratio, 'lower', Infinity),
    };
  }
  if (collapse.kind === 'diverging') {
    // No step overwrote the weights: the divergence built up (momentum, Adam's early steps).
    const largest = largestStep(spec, frames, collapse.step);
    const lr = largest ? lrTowardHealthy(spec, largest.log10Ratio, 'lower', Infinity) : [];
    if (largest) Object.assign(evidence, { causeStep: largest.step, updateRatio: 10 ** largest.log10Ratio });
    return {
      code,
      severity: 'warning',
      line: spec.optimizerStatement?.line ?? lastLeafLine(spec),
      message: `${title}: ${collapseText(collapse)}${largest ? `; the largest step before it: step ${largest.step} moved ${largest.layer.name}'s weights ${formatNumber(10 ** largest.log10Ratio)}× their size (healthy ≈ 1e-3)` : ''}`,
      explanation: LOSS_DIVERGING_EXPLANATION,
      evidence,
      fixes: distinct([...lr, ...addClip(spec)]),
    };
  }
  // Dead from the start: the layer nearest the output whose input gradient is 0 while its output's is not.
  const first = frames[0];
  const stop = [...spec.leaves].reverse().find((leaf) => {
    const s = statsOf(first, leaf.index);
    return s !== undefined && s.outGradNorm > 0 && s.inGradNorm === 0 && leaf.index > 0;
  }) ?? [...spec.leaves].reverse().find(isAffine);
  if (!stop) return undefined;
  const dense = isAffine(stop) ? stop : [...spec.leaves.slice(0, stop.index)].reverse().find(isAffine);
  const init = dense ? ` (init ${initName(dense.init)})` : '';
  const initFix = dense ? matchInits(spec, false, (l) => (l === dense ? { ...initScale(spec, l)!, ratio: 0 } : undefined)) : [];
  // With the init already matched, a narrow ReLU stack dies by depth alone (Lu et al. 2019:
  // the probability that a deep narrow ReLU net is born dead goes to 1 with depth): widen it.
  const narrow = initFix.length === 0 ? narrowStack(spec) : undefined;
  if (narrow) evidence.reciprocalWidthSum = narrow.sum;
  return {
    code,
    severity: 'error',
    layer: stop.index,
    line: stop.line,
    message: `${title}: ${collapseText(collapse)}; the gradient stops at ${stop.name}${init}: nothing before it gets any${narrow ? `; the stack is narrow and deep: Σ 1/width over its ${narrow.layers.length} hidden layers is ${formatNumber(narrow.sum)}` : ''}`,
    explanation: DEAD_NETWORK_EXPLANATION,
    evidence,
    fixes: narrow ? widenTo(spec, narrow.layers) : initFix,
  };
}
