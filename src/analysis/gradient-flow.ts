// vanishing-gradient and exploding-gradient: how a layer's gradient compares with the layers
// after it (closer to the loss). Backpropagation multiplies the gradient by every layer's
// Jacobian on its way to the input; when those gains sit below 1 the early layers' gradients
// shrink geometrically (vanishing), above 1 they grow (exploding) — Glorot & Bengio 2010,
// He et al. 2015. Comparing a layer with the layers downstream of it makes the measure
// scale-free: multiplying the loss (so every gradient) by any factor changes nothing.

import type { RunResult, StepFrame } from '../engine/telemetry';
import type { LeafLayer, NetworkSpec, Thresholds } from '../lang/spec';
import type { FixSuggestion } from '../lang/rewrites';
import type { LayerFinding } from './types';
import { formatNumber } from './format';
import { activationAfter, activationOf, hasParams, initName, isFusedWithLoss, isSaturating, matchedInit, weightsFeeding } from './network';
import { addClip, distinct, lrFromFirstStep, replaceSaturating, useInit, useMatchedInit, wrapResidual } from './remedies';
import { MEDIAN_HISTORY, isMost, log10UpdateRatio, median, statsOf } from './window';

/** A run's gradient norm this many times its running median is a spike (exploding in run mode). */
export const SPIKE_FACTOR = 10;
/** Fewest earlier steps a running median needs before spikes are judged. */
const MIN_HISTORY = 10;

/** One layer's gradients relative to the layers downstream of it, at one step. */
export interface FlowSample {
  rms: number;
  /** ‖∇W‖ RMS / the largest among this layer and the weighted layers after it (≤ 1). */
  belowLargest: number;
  largest: number;
  /** ‖∇W‖ RMS / the smallest nonzero one among the weighted layers after it (undefined for the last). */
  aboveSmallest?: number;
  smallest?: number;
  /** The same two ratios for the backpropagated gradient ‖∂L/∂output‖ reaching each layer. */
  signalBelow: number;
  signalAbove?: number;
  logUpdate?: number;
}

/**
 * The backpropagated gradient that reaches a layer: ‖∂L/∂(its output)‖. For an output sigmoid
 * fused with bce the gradient at the probability is not what flows back (σ' cancels against
 * the loss), so take it at the layer's input instead.
 */
function signalOf(spec: NetworkSpec, leaf: LeafLayer, frame: StepFrame): number {
  const stats = statsOf(frame, leaf.index);
  if (!stats) return NaN;
  return isFusedWithLoss(spec, leaf) ? stats.inGradNorm : stats.outGradNorm;
}

/** For each position, the ratio of its value to the largest value at or after it and to the smallest positive one after it. */
function againstDownstream(values: number[]): { below: number[]; above: (number | undefined)[]; largestAt: number[]; smallestAt: (number | undefined)[] } {
  const below: number[] = [];
  const above: (number | undefined)[] = [];
  const largestAt: number[] = [];
  const smallestAt: (number | undefined)[] = [];
  let largest = -Infinity;
  let largestIndex = -1;
  let smallest = Infinity;
  let smallestIndex: number | undefined;
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (Number.isFinite(v) && v > largest) [largest, largestIndex] = [v, i];
    below[i] = largest > 0 ? v / largest : 1;
    largestAt[i] = largestIndex;
    above[i] = smallestIndex !== undefined ? v / smallest : undefined;
    smallestAt[i] = smallestIndex;
    if (Number.isFinite(v) && v > 0 && v < smallest) [smallest, smallestIndex] = [v, i];
  }
  return { below, above, largestAt, smallestAt };
}

export function flowAt(spec: NetworkSpec, frame: StepFrame, weighted: LeafLayer[]): Map<number, FlowSample> {
  const rms = weighted.map((leaf) => statsOf(frame, leaf.index)?.gradRms ?? NaN);
  const byRms = againstDownstream(rms);
  const bySignal = againstDownstream(weighted.map((leaf) => signalOf(spec, leaf, frame)));
  const samples = new Map<number, FlowSample>();
  weighted.forEach((leaf, i) => {
    if (!Number.isFinite(rms[i])) return;
    const smallest = byRms.smallestAt[i];
    samples.set(leaf.index, {
      rms: rms[i],
      belowLargest: byRms.below[i],
      largest: weighted[byRms.largestAt[i]].index,
      aboveSmallest: byRms.above[i],
      smallest: smallest !== undefined ? weighted[smallest].index : undefined,
      signalBelow: bySignal.below[i],
      signalAbove: bySignal.above[i],
      logUpdate: log10UpdateRatio(statsOf(frame, leaf.index)!),
    });
  });
  return samples;
}

interface Verdict {
  steps: number;
  samples: FlowSample[];
  spikes: number;
  spikeNorm: number;
  runningMedian: number;
}

function gradName(leaf: LeafLayer): string {
  return leaf.kind === 'dense' ? '‖∇W‖' : '‖∇‖';
}

/** The leaf downstream of `from` whose backward gain ‖δ_in‖/‖δ_out‖ is furthest below (shrink) or above (grow) 1. */
function chokePoint(spec: NetworkSpec, frame: StepFrame, from: number, shrink: boolean): { leaf: LeafLayer; gain: number } | undefined {
  let best: { leaf: LeafLayer; gain: number } | undefined;
  for (const leaf of spec.leaves.slice(from + 1)) {
    // An output sigmoid under bce is fused with the loss: its own derivative cancels out.
    if (isFusedWithLoss(spec, leaf)) continue;
    const stats = statsOf(frame, leaf.index);
    if (!stats || !(stats.outGradNorm > 0) || !Number.isFinite(stats.inGradNorm)) continue;
    const gain = stats.inGradNorm / stats.outGradNorm;
    if (!Number.isFinite(gain)) continue;
    if (!best || (shrink ? gain < best.gain : gain > best.gain)) best = { leaf, gain };
  }
  if (!best || (shrink ? best.gain >= 0.5 : best.gain <= 2)) return undefined;
  return best;
}

function describeCause(spec: NetworkSpec, frame: StepFrame, leaf: LeafLayer): string {
  const parts: string[] = [];
  const activation = activationOf(leaf);
  if (activation && activation !== 'linear') parts.push(activation);
  const dense = weightsFeeding(spec, leaf);
  if (dense?.kind === 'dense') {
    const after = activationAfter(spec, dense);
    if (dense.init.kind !== matchedInit(after ? after.activation : 'linear')) parts.push(`init ${initName(dense.init)}`);
  }
  const saturated = statsOf(frame, leaf.index)?.saturatedFraction ?? 0;
  if (isSaturating(activation) && saturated > 0) parts.push(`${Math.round(saturated * 100)}% saturated`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function related(spec: NetworkSpec, frame: StepFrame, leaf: LeafLayer, shrink: boolean): LayerFinding['related'] {
  const cause = chokePoint(spec, frame, leaf.index, shrink);
  if (!cause || cause.leaf.line === leaf.line) return undefined;
  const verb = shrink ? 'shrinks' : 'grows';
  return [{ line: cause.leaf.line, message: `The gradient ${verb} ×${formatNumber(cause.gain)} going back through ${cause.leaf.name}${describeCause(spec, frame, cause.leaf)}.` }];
}

/** Consecutive runs of flagged leaf indices, a run spanning the param-free leaves between them. */
function runsOf(flagged: number[], weighted: LeafLayer[]): [number, number][] {
  const position = new Map(weighted.map((leaf, i) => [leaf.index, i]));
  const runs: [number, number][] = [];
  for (const index of flagged) {
    const run = runs[runs.length - 1];
    const previous = run ? weighted[position.get(index)! - 1] : undefined;
    if (run && previous && previous.index === run[1]) run[1] = index;
    else runs.push([index, index]);
  }
  return runs;
}

/**
 * Fixes that act on what makes the gradient shrink, each checked by re-probing the examples
 * (test/analysis/measure-fixes.ts): a saturating activation multiplies by σ' ≤ 1/4 per layer
 * whatever the init, so replace it (relu + He); a non-saturating stack shrinks through
 * too-small or dead weights, so give the layer where the gradient shrinks most (the choke
 * point, often downstream of the flagged one) the matched init; a residual path carries the
 * gradient past the run. No layernorm: inserted after the activation (fused or not) or
 * between the dense layer and a standalone one, it left the flag (or moved it onto its own
 * γ/β) on 6 of 10 measured networks.
 */
function vanishingFixes(spec: NetworkSpec, frame: StepFrame, leaf: LeafLayer, run: [number, number]): FixSuggestion[] {
  const after = activationAfter(spec, leaf);
  const runEnd = activationAfter(spec, spec.leaves[run[1]])?.leaf.index ?? run[1];
  const cause = chokePoint(spec, frame, leaf.index, true);
  const causeWeights = cause ? weightsFeeding(spec, cause.leaf) : undefined;
  const initTarget = causeWeights ?? leaf;
  const initTargetSaturates = isSaturating(activationAfter(spec, initTarget)?.activation);
  return distinct([
    ...replaceSaturating(spec, leaf, ['relu']),
    ...((after && isSaturating(after.activation)) || initTargetSaturates ? [] : useMatchedInit(spec, initTarget)),
    ...wrapResidual(spec, run[0], runEnd),
  ]);
}

/**
 * Two different causes, two different fixes. When the backpropagated signal itself grows
 * toward the input (gain > 1 per layer, present from initialisation), the weights are too
 * large for their depth: a variance-preserving init removes it. Clipping or a smaller lr does
 * not — they change the step, not the ratio between layers' gradients (measured on
 * exploding.net: both leave the flag); nor does a layernorm after the activation (the next
 * weights scale it right back), and one before a standalone activation moved the flag onto
 * its own γ on one of two measured networks. When the flag comes from the steps instead
 * (update ratio far above healthy from the first step, or a spike against the running median
 * in a run), the lr that makes the first step healthy and clip=1 do.
 */
function explodingFixes({ spec, thresholds, window, lrLimit }: Context, leaf: LeafLayer, v: Verdict): FixSuggestion[] {
  // The weights' fault when the signal already grows at the first judged step, before the
  // updates could have made it, or when that first step was of a sane size; the steps' fault
  // when they were too large from the start (at lr=1000 the signal grows from step 2 on).
  const first = window.length > 0 ? flowAt(spec, window[0], spec.leaves.filter(hasParams)).get(leaf.index) : undefined;
  const grows = first?.signalAbove !== undefined && first.signalAbove > thresholds.explodingRatio;
  const stepsTooLarge = first?.logUpdate !== undefined && first.logUpdate > thresholds.updateRatioHigh;
  if ((grows || !stepsTooLarge) && v.spikes === 0) {
    const after = activationAfter(spec, leaf);
    const init = useMatchedInit(spec, leaf);
    if (init.length) return init;
    // He init on a non-ReLU layer is √2 too large per layer: lecun (Var W = 1/fan_in) is the fix.
    return leaf.kind === 'dense' && leaf.init.kind === 'he' && after?.activation !== 'relu' ? useInit(leaf, 'lecun') : [];
  }
  return distinct([...lrFromFirstStep(spec, window, 'lower', lrLimit), ...addClip(spec)]);
}

export const VANISHING_EXPLANATION =
  'Gradients shrink by the product of every later layer\'s gain on their way back, so this layer barely learns while the ones near the output do. ' +
  'Saturating activations (sigmoid, tanh) and too-small inits cause it; ReLU with He init, normalisation or residual connections keep the gain near 1.';

export const EXPLODING_EXPLANATION =
  'Gradients grow by the product of every later layer\'s gain on their way back, so this layer takes steps far too large and training diverges. ' +
  'A smaller, variance-preserving init (He for ReLU, Xavier otherwise) removes the cause; gradient clipping, a lower learning rate or normalisation keep the steps bounded.';

/** vanishing-gradient and exploding-gradient findings over the window. */
export function gradientFlow(
  spec: NetworkSpec,
  run: RunResult,
  window: StepFrame[],
  thresholds: Thresholds,
  mode: 'probe' | 'run',
  lrLimit: number,
): { findings: LayerFinding[]; vanishing: Set<number>; exploding: Set<number> } {
  const weighted = spec.leaves.filter(hasParams);
  const vanishing = new Map<number, Verdict>();
  const exploding = new Map<number, Verdict>();
  const medians = mode === 'run' ? runningMedians(run, window, weighted) : new Map<number, number>();

  for (const frame of window) {
    for (const [index, s] of flowAt(spec, frame, weighted)) {
      // ∇W = xᵀδ mixes the forward activations' scale with the backward signal δ, so ask both:
      // the weight gradient is far below the layers after it, and so is the signal reaching it
      // (or its weights barely move at all).
      const small = s.belowLargest < thresholds.vanishingRatio &&
        (s.signalBelow < thresholds.vanishingRatio || (s.logUpdate !== undefined && s.logUpdate < thresholds.updateRatioLow));
      const large = s.aboveSmallest !== undefined && s.aboveSmallest > thresholds.explodingRatio &&
        ((s.signalAbove !== undefined && s.signalAbove > thresholds.explodingRatio) ||
          (s.logUpdate !== undefined && s.logUpdate > thresholds.updateRatioHigh));
      const norm = statsOf(frame, index)?.gradNorm ?? NaN;
      const reference = medians.get(index);
      const spike = reference !== undefined && reference > 0 && norm > SPIKE_FACTOR * reference;
      if (small) record(vanishing, index, s);
      if (large || spike) {
        const verdict = record(exploding, index, s);
        if (spike) {
          verdict.spikes++;
          verdict.spikeNorm = Math.max(verdict.spikeNorm, norm);
          verdict.runningMedian = reference!;
        }
      }
    }
  }

  const steps = window.length;
  const flagged = (verdicts: Map<number, Verdict>) =>
    [...verdicts].filter(([, v]) => isMost(v.steps, steps)).map(([i]) => i).sort((a, b) => a - b);
  const flaggedVanishing = flagged(vanishing);
  const flaggedExploding = flagged(exploding);
  const last = window[window.length - 1];
  const context = { spec, thresholds, steps, last, window, lrLimit };
  const findings: LayerFinding[] = [];
  for (const span of runsOf(flaggedVanishing, weighted)) {
    for (const index of flaggedVanishing.filter((i) => i >= span[0] && i <= span[1])) {
      findings.push(vanishingFinding(context, spec.leaves[index], vanishing.get(index)!, span));
    }
  }
  for (const index of flaggedExploding) findings.push(explodingFinding(context, spec.leaves[index], exploding.get(index)!));
  return { findings, vanishing: new Set(flaggedVanishing), exploding: new Set(flaggedExploding) };
}

interface Context {
  spec: NetworkSpec;
  thresholds: Thresholds;
  /** Steps in the window. */
  steps: number;
  /** The window's last frame: where `related` looks for the cause. */
  last: StepFrame;
  /** How far an lr fix may move lr (see analyze). */
  lrLimit: number;
  window: StepFrame[];
}

const medianOf = (values: (number | undefined)[]) => median(values.filter((v): v is number => v !== undefined));

function vanishingFinding({ spec, thresholds, steps, last }: Context, leaf: LeafLayer, v: Verdict, span: [number, number]): LayerFinding {
  const rms = medianOf(v.samples.map((s) => s.rms));
  const ratio = medianOf(v.samples.map((s) => s.belowLargest));
  const signal = medianOf(v.samples.map((s) => s.signalBelow));
  const logUpdate = medianOf(v.samples.map((s) => s.logUpdate));
  const reference = spec.leaves[v.samples[v.samples.length - 1].largest];
  const details = [`${gradName(leaf)} RMS ${formatNumber(rms)}, ${formatNumber(ratio)}× the largest layer's after it (${reference?.name ?? '?'})`];
  if (signal < thresholds.vanishingRatio) details.push(`backpropagated gradient ${formatNumber(signal)}× the largest after it`);
  if (logUpdate < thresholds.updateRatioLow) details.push(`update ratio ${formatNumber(10 ** logUpdate)}`);
  return {
    code: 'vanishing-gradient',
    severity: 'warning',
    layer: leaf.index,
    line: leaf.line,
    message: `Vanishing gradient: ${details.join('; ')}, in ${v.steps} of ${steps} steps`,
    explanation: VANISHING_EXPLANATION,
    evidence: { gradRms: rms, ratioToLargest: ratio, signalRatio: signal, log10UpdateRatio: logUpdate, steps: v.steps, windowSteps: steps },
    related: related(spec, last, leaf, true),
    fixes: vanishingFixes(spec, last, leaf, span),
  };
}

function explodingFinding(context: Context, leaf: LeafLayer, v: Verdict): LayerFinding {
  const { spec, thresholds, steps, last } = context;
  const rms = medianOf(v.samples.map((s) => s.rms));
  const ratio = medianOf(v.samples.map((s) => s.aboveSmallest));
  const signal = medianOf(v.samples.map((s) => s.signalAbove));
  const logUpdate = medianOf(v.samples.map((s) => s.logUpdate));
  const smallestAt = v.samples[v.samples.length - 1].smallest;
  const details = [`${gradName(leaf)} RMS ${formatNumber(rms)}`];
  if (!Number.isNaN(ratio)) details.push(`${formatNumber(ratio)}× the smallest layer's after it (${smallestAt !== undefined ? spec.leaves[smallestAt].name : '?'})`);
  if (signal > thresholds.explodingRatio) details.push(`backpropagated gradient ${formatNumber(signal)}× the smallest after it`);
  if (logUpdate > thresholds.updateRatioHigh) details.push(`update ratio ${formatNumber(10 ** logUpdate)}`);
  if (v.spikes) details.push(`norm ${formatNumber(v.spikeNorm)}, ${formatNumber(v.spikeNorm / v.runningMedian)}× its running median`);
  const evidence: Record<string, number> = { gradRms: rms, log10UpdateRatio: logUpdate, steps: v.steps, windowSteps: steps };
  if (!Number.isNaN(ratio)) evidence.ratioToSmallest = ratio;
  if (!Number.isNaN(signal)) evidence.signalRatio = signal;
  if (v.spikes) Object.assign(evidence, { spikes: v.spikes, spikeNorm: v.spikeNorm, runningMedian: v.runningMedian });
  return {
    code: 'exploding-gradient',
    severity: 'warning',
    layer: leaf.index,
    line: leaf.line,
    message: `Exploding gradient: ${details.join('; ')}, in ${v.steps} of ${steps} steps`,
    explanation: EXPLODING_EXPLANATION,
    evidence,
    related: related(spec, last, leaf, false),
    fixes: explodingFixes(context, leaf, v),
  };
}

function record(verdicts: Map<number, Verdict>, index: number, sample: FlowSample): Verdict {
  let verdict = verdicts.get(index);
  if (!verdict) verdicts.set(index, (verdict = { steps: 0, samples: [], spikes: 0, spikeNorm: 0, runningMedian: NaN }));
  verdict.steps++;
  verdict.samples.push(sample);
  return verdict;
}

/** Each weighted layer's median gradient norm over the steps before the window (run mode). */
function runningMedians(run: RunResult, window: StepFrame[], weighted: LeafLayer[]): Map<number, number> {
  const medians = new Map<number, number>();
  if (window.length === 0) return medians;
  const start = run.frames.indexOf(window[0]);
  const history = run.frames.slice(Math.max(0, start - MEDIAN_HISTORY), Math.max(0, start));
  if (history.length < MIN_HISTORY) return medians;
  for (const leaf of weighted) {
    const norms = history.flatMap((f) => {
      const norm = statsOf(f, leaf.index)?.gradNorm;
      return norm !== undefined && Number.isFinite(norm) ? [norm] : [];
    });
    if (norms.length >= MIN_HISTORY) medians.set(leaf.index, median(norms));
  }
  return medians;
}
