// vanishing-gradient and exploding-gradient: how a layer's gradient compares with the layers
// after it (closer to the loss). Backpropagation multiplies the gradient by every layer's
// Jacobian on its way to the input; when those gains sit below 1 the early layers' gradients
// shrink geometrically (vanishing), above 1 they grow (exploding) — Glorot & Bengio 2010,
// He et al. 2015. Comparing a layer with the layers downstream of it makes the measure
// scale-free: multiplying the loss (so every gradient) by any factor changes nothing.

import type { StepFrame } from '../engine/telemetry';
import type { LeafLayer, NetworkSpec, Thresholds } from '../lang/spec';
import type { FixSuggestion } from '../lang/rewrites';
import type { LayerFinding } from './types';
import { formatNumber } from './format';
import { activationAfter, activationOf, hasParams, initHasStd, initName, isAffine, isFusedWithLoss, isSaturating, matchedInit, weightsFeeding } from './network';
import { addClip, distinct, lrFromFirstStep, matchInits, normBeforeActivation, replaceSaturating, useInit, useMatchedInit, widenTo, wrapResidual, INIT_SCALE_TOLERANCE } from './remedies';
import { type GainVerdict, initScale, isNorm, narrowStack, scaleFreeInits } from './signal-gain';
import { isMost, log10UpdateRatio, median, statsOf } from './window';
import { type EpisodeVerdict, type Span, headline, spanEvidence, spanLength } from './episodes';
import type { FlowPayload, SpikeSummary } from './run-history';

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
 * One layer's flow sample per weighted layer (undefined where its gradient is not finite): each
 * value against the largest at or after it (toward the loss) and the smallest positive one
 * strictly after it, for the weight gradient RMS and for the backpropagated signal ‖∂L/∂output‖.
 * (For an output sigmoid fused with bce the gradient at the probability is not what flows back
 * — σ' cancels against the loss — so the signal is taken at that layer's input.) One backward
 * pass over the layers; the probe and the run's streaming history both use it.
 */
export function flowSamples(spec: NetworkSpec, frame: StepFrame, weighted: LeafLayer[]): (FlowSample | undefined)[] {
  const out = weighted.map(() => emptySample());
  fillFlow(spec, frame, weighted, out);
  return out.map((s) => (Number.isNaN(s.rms) ? undefined : s));
}

export function emptySample(): FlowSample {
  return { rms: NaN, belowLargest: NaN, largest: -1, aboveSmallest: undefined, smallest: undefined, signalBelow: NaN, signalAbove: undefined, logUpdate: undefined };
}

/**
 * flowSamples into objects the caller owns (`out[i]` for `weighted[i]`; rms NaN where the
 * gradient is not finite), so a long run's history reads every step without allocating.
 */
export function fillFlow(spec: NetworkSpec, frame: StepFrame, weighted: LeafLayer[], out: FlowSample[]): void {
  let largest = -Infinity;
  let largestAt = -1;
  let smallest = Infinity;
  let smallestAt = -1;
  let largestSignal = -Infinity;
  let smallestSignal = Infinity;
  let hasSmallestSignal = false;
  const lastLeaf = spec.leaves.length - 1;
  for (let i = weighted.length - 1; i >= 0; i--) {
    const leaf = weighted[i];
    const stats = statsOf(frame, leaf.index);
    const s = out[i];
    if (!stats) {
      s.rms = NaN;
      continue;
    }
    const rms = stats.gradRms;
    const signal = leaf.index === lastLeaf && isFusedWithLoss(spec, leaf) ? stats.inGradNorm : stats.outGradNorm;
    const finiteRms = Number.isFinite(rms);
    const finiteSignal = Number.isFinite(signal);
    if (finiteRms && rms > largest) {
      largest = rms;
      largestAt = i;
    }
    if (finiteSignal && signal > largestSignal) largestSignal = signal;
    s.rms = finiteRms ? rms : NaN;
    if (finiteRms) {
      s.belowLargest = largest > 0 ? rms / largest : 1;
      s.largest = weighted[largestAt].index;
      s.aboveSmallest = smallestAt >= 0 ? rms / smallest : undefined;
      s.smallest = smallestAt >= 0 ? weighted[smallestAt].index : undefined;
      s.signalBelow = largestSignal > 0 ? signal / largestSignal : 1;
      s.signalAbove = hasSmallestSignal ? signal / smallestSignal : undefined;
      s.logUpdate = log10UpdateRatio(stats);
      if (rms > 0 && rms < smallest) {
        smallest = rms;
        smallestAt = i;
      }
    }
    if (finiteSignal && signal > 0 && signal < smallestSignal) {
      smallestSignal = signal;
      hasSmallestSignal = true;
    }
  }
}

export function flowAt(spec: NetworkSpec, frame: StepFrame, weighted: LeafLayer[]): Map<number, FlowSample> {
  const samples = new Map<number, FlowSample>();
  flowSamples(spec, frame, weighted).forEach((s, i) => {
    if (s) samples.set(weighted[i].index, s);
  });
  return samples;
}

/**
 * ∇W = xᵀδ mixes the forward activations' scale with the backward signal δ, so ask both: the
 * weight gradient is far below the layers after it, and so is the signal reaching it (or its
 * weights barely move at all).
 */
export function isVanishingAt(s: FlowSample, thresholds: Thresholds): boolean {
  return s.belowLargest < thresholds.vanishingRatio &&
    (s.signalBelow < thresholds.vanishingRatio || (s.logUpdate !== undefined && s.logUpdate < thresholds.updateRatioLow));
}

/** The mirror image: far above the smallest layer after it, and so is the signal (or the steps are too large). */
export function isExplodingAt(s: FlowSample, thresholds: Thresholds): boolean {
  return s.aboveSmallest !== undefined && s.aboveSmallest > thresholds.explodingRatio &&
    ((s.signalAbove !== undefined && s.signalAbove > thresholds.explodingRatio) ||
      (s.logUpdate !== undefined && s.logUpdate > thresholds.updateRatioHigh));
}

/** What a layer's flagged steps say: counted over a probe's steps, or over one episode of a run. */
interface Verdict {
  /** Flagged steps, and the steps they were counted among. */
  steps: number;
  of: number;
  samples: FlowSample[];
  spikes: number;
  spikeNorm: number;
  runningMedian: number;
  /** The first judged frame (where the fixes read the first step) and the last flagged one (where `related` looks for the cause). */
  first: StepFrame;
  last: StepFrame;
  /** Run mode: the episode. */
  span?: Span;
}

function gradName(leaf: LeafLayer): string {
  return isAffine(leaf) ? '‖∇W‖' : '‖∇‖';
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
  if (dense) {
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
function explodingFixes({ spec, thresholds, lrLimit }: Context, leaf: LeafLayer, v: Verdict): FixSuggestion[] {
  // The weights' fault when the signal already grows at the first judged step, before the
  // updates could have made it, or when that first step was of a sane size; the steps' fault
  // when they were too large from the start (at lr=1000 the signal grows from step 2 on).
  const first = flowAt(spec, v.first, spec.leaves.filter(hasParams)).get(leaf.index);
  const grows = first?.signalAbove !== undefined && first.signalAbove > thresholds.explodingRatio;
  const stepsTooLarge = first?.logUpdate !== undefined && first.logUpdate > thresholds.updateRatioHigh;
  if ((grows || !stepsTooLarge) && v.spikes === 0) {
    const after = activationAfter(spec, leaf);
    const init = useMatchedInit(spec, leaf);
    if (init.length) return init;
    // He init on a non-ReLU layer is √2 too large per layer: lecun (Var W = 1/fan_in) is the fix.
    return isAffine(leaf) && leaf.init.kind === 'he' && after?.activation !== 'relu' ? useInit(leaf, 'lecun') : [];
  }
  return distinct([...lrFromFirstStep(spec, [v.first], 'lower', lrLimit), ...addClip(spec)]);
}

export const VANISHING_EXPLANATION =
  'Gradients shrink by the product of every later layer\'s gain on their way back, so this layer barely learns while the ones near the output do. ' +
  'Saturating activations (sigmoid, tanh) and too-small inits cause it; ReLU with He init, normalisation or residual connections keep the gain near 1.';

export const EXPLODING_EXPLANATION =
  'Gradients grow by the product of every later layer\'s gain on their way back, so this layer takes steps far too large and training diverges. ' +
  'A smaller, variance-preserving init (He for ReLU, Xavier otherwise) removes the cause; gradient clipping, a lower learning rate or normalisation keep the steps bounded.';

export const SCALE_FREE_EXPLANATION =
  'A normalisation layer divides by the scale of its input, so the weights before it can have any scale without changing the output; their gradient then scales as 1/‖W‖ (and their learning speed as 1/‖W‖²: van Laarhoven 2017; Arora, Li & Lyu 2019). ' +
  'An init far from the matched one puts those weights\' gradients on another scale than the norm layer\'s γ, and comparing the layers reads that as γ exploding (or vanishing). The matched init puts them back on one scale.';

export const NARROW_EXPLANATION =
  'With He init a ReLU network keeps the mean squared size of its signals through depth, but not their spread: that grows exponentially in the sum of 1/width over the layers (Hanin & Rolnick 2018; Hanin 2018 for gradients), so in a narrow deep stack the typical signal shrinks or dies although the init is right. ' +
  'Wider layers (a smaller Σ 1/width), residual connections or normalisation keep it; a different init does not.';

/** The steps a layer's flags are about: a probe's window, or (run mode) each layer's episodes. */
export type FlowJudgement =
  | { mode: 'probe'; window: StepFrame[] }
  | { mode: 'run'; vanishing: Map<number, EpisodeVerdict<FlowPayload, undefined>>; exploding: Map<number, EpisodeVerdict<FlowPayload, SpikeSummary>> };

/**
 * vanishing-gradient and exploding-gradient findings: the relative rule's verdicts (‖∇W‖ against
 * the layers after it) and the signal-gain rule's (signal-gain.ts), one finding per layer and
 * condition, the gains first when both hold (they name the cause: the init's scale).
 */
export function gradientFlow(
  spec: NetworkSpec,
  judged: FlowJudgement,
  thresholds: Thresholds,
  lrLimit: number,
  gains: Map<number, GainVerdict> = new Map(),
): { findings: LayerFinding[]; vanishing: Set<number>; exploding: Set<number> } {
  const weighted = spec.leaves.filter(hasParams);
  const { vanishing, exploding } = judged.mode === 'probe' ? probeVerdicts(spec, judged.window, thresholds) : runVerdicts(judged);
  // A layer's gain verdict is evidence only for its own condition (a signal that grew at
  // initialisation is no evidence for the vanishing the collapse it caused shows later).
  const gainOf = (index: number, condition: GainVerdict['condition']) => {
    const g = gains.get(index);
    return g?.condition === condition ? g : undefined;
  };
  const byGain = (condition: GainVerdict['condition']) => [...gains].filter(([, g]) => g.condition === condition).map(([i]) => i);
  const flagged = (verdicts: Map<number, Verdict>, condition: GainVerdict['condition']) =>
    [...new Set([...[...verdicts].filter(([, v]) => isMost(v.steps, v.of)).map(([i]) => i), ...byGain(condition)])].sort((a, b) => a - b);
  const flaggedExploding = flagged(exploding, 'exploding');
  const explodingSet = new Set(flaggedExploding);
  const flaggedVanishing = flagged(vanishing, 'vanishing');
  const context = { spec, thresholds, lrLimit };
  const live = (verdicts: Map<number, Verdict>, index: number) => {
    const v = verdicts.get(index);
    return v && isMost(v.steps, v.of) ? v : undefined;
  };
  const findings: LayerFinding[] = [];
  for (const span of runsOf(flaggedVanishing, weighted)) {
    for (const index of flaggedVanishing.filter((i) => i >= span[0] && i <= span[1])) {
      findings.push(vanishingFinding(context, spec.leaves[index], live(vanishing, index), span, gainOf(index, 'vanishing')));
    }
  }
  for (const index of flaggedExploding) findings.push(explodingFinding(context, spec.leaves[index], live(exploding, index), gainOf(index, 'exploding')));
  return { findings, vanishing: new Set(flaggedVanishing), exploding: explodingSet };
}

/** The gain rule's evidence in words: the signal, per layer and compounded, and the init against the matched one. */
function gainDetails(spec: NetworkSpec, g: GainVerdict): string[] {
  const verb = g.condition === 'exploding' ? 'grows' : 'shrinks';
  const details = g.signal === 'backward'
    ? [`the backpropagated gradient ${verb} ×${formatNumber(g.perLayer)} per layer through the ${g.depth} layers after it: ×${formatNumber(g.total)} from the output to here, at initialisation`]
    : [`activations ${verb === 'grows' ? 'grow' : 'shrink'} ×${formatNumber(g.perLayer)} per layer: RMS ×${formatNumber(g.total)} over ${g.depth} layers up to here, at initialisation`];
  const scale = initScale(spec, g.gain.leaf);
  // The init's scale, when it pushes the signal the way it went.
  if (scale && !spec.weights && (g.condition === 'exploding' ? scale.ratio > INIT_SCALE_TOLERANCE : scale.ratio < 1 / INIT_SCALE_TOLERANCE)) {
    const name = scale.init === 'he' ? 'He' : 'Xavier';
    details.push(`${initHasStd(g.gain.leaf.init, formatNumber(scale.actual))}, ${formatNumber(scale.ratio)}× ${name}'s ${formatNumber(scale.std)} for fan-in ${scale.fanIn} (${g.gain.activation})`);
  }
  return details;
}

function gainEvidence(g: GainVerdict | undefined): Record<string, number> {
  if (!g) return {};
  const evidence: Record<string, number> = { gainTotal: g.total, gainPerLayer: g.perLayer, gainDepth: g.depth, initStd: g.gain.initStd, recommendedStd: g.gain.recommendedStd };
  if (g.gain.forward !== undefined) evidence.forwardGain = g.gain.forward;
  if (g.gain.backward !== undefined) evidence.backwardGain = g.gain.backward;
  return evidence;
}

/**
 * Fixes for a signal that compounds through depth because of the inits' scale: the matched
 * init on every layer whose scale pushes it that way (one fix for the whole stack: fixing the
 * flagged layer alone leaves the others' gains). For a shrinking signal through saturating
 * activations the init is not the cause (σ′ ≤ ¼ whatever the init): those keep the relative
 * rule's fixes.
 */
function gainFixes(spec: NetworkSpec, g: GainVerdict): FixSuggestion[] {
  return matchInits(spec, g.condition === 'exploding', (leaf) => initScale(spec, leaf));
}

/** Every step of a probe counts; no spikes (a probe has no history to judge them against). */
function probeVerdicts(spec: NetworkSpec, window: StepFrame[], thresholds: Thresholds): { vanishing: Map<number, Verdict>; exploding: Map<number, Verdict> } {
  const weighted = spec.leaves.filter(hasParams);
  const vanishing = new Map<number, Verdict>();
  const exploding = new Map<number, Verdict>();
  const record = (verdicts: Map<number, Verdict>, index: number, sample: FlowSample) => {
    let verdict = verdicts.get(index);
    if (!verdict) {
      verdict = { steps: 0, of: window.length, samples: [], spikes: 0, spikeNorm: 0, runningMedian: NaN, first: window[0], last: window[window.length - 1] };
      verdicts.set(index, verdict);
    }
    verdict.steps++;
    verdict.samples.push(sample);
  };
  for (const frame of window) {
    for (const [index, s] of flowAt(spec, frame, weighted)) {
      if (isVanishingAt(s, thresholds)) record(vanishing, index, s);
      if (isExplodingAt(s, thresholds)) record(exploding, index, s);
    }
  }
  return { vanishing, exploding };
}

/** Each layer's episode (run-history.ts): its flagged steps among the steps it spans. */
function runVerdicts(judged: Extract<FlowJudgement, { mode: 'run' }>): { vanishing: Map<number, Verdict>; exploding: Map<number, Verdict> } {
  const verdictOf = (e: EpisodeVerdict<FlowPayload, SpikeSummary | undefined>): Verdict => ({
    steps: e.span.flagged,
    of: spanLength(e.span),
    samples: e.samples.map((p) => p.sample),
    spikes: e.summary?.spikes ?? 0,
    spikeNorm: e.summary?.spikeNorm ?? 0,
    runningMedian: e.summary?.runningMedian ?? NaN,
    first: e.samples[0].frame,
    last: e.last.frame,
    span: e.span,
  });
  const convert = <S>(m: Map<number, EpisodeVerdict<FlowPayload, S>>) =>
    new Map([...m].map(([i, e]) => [i, verdictOf(e as EpisodeVerdict<FlowPayload, SpikeSummary | undefined>)]));
  return { vanishing: convert(judged.vanishing), exploding: convert(judged.exploding) };
}

interface Context {
  spec: NetworkSpec;
  thresholds: Thresholds;
  /** How far an lr fix may move lr (see analyze). */
  lrLimit: number;
}

const medianOf = (values: (number | undefined)[]) => median(values.filter((v): v is number => v !== undefined));

function vanishingFinding(context: Context, leaf: LeafLayer, v: Verdict | undefined, span: [number, number], g: GainVerdict | undefined): LayerFinding {
  const { spec, thresholds } = context;
  // The relative rule's numbers first (counted over the judged steps), then the gains at initialisation.
  const details: string[] = [];
  const evidence: Record<string, number> = gainEvidence(g);
  let fixes: FixSuggestion[] = [];
  if (v) {
    const rms = medianOf(v.samples.map((s) => s.rms));
    const ratio = medianOf(v.samples.map((s) => s.belowLargest));
    const signal = medianOf(v.samples.map((s) => s.signalBelow));
    const logUpdate = medianOf(v.samples.map((s) => s.logUpdate));
    const reference = spec.leaves[v.samples[v.samples.length - 1].largest];
    details.push(`${gradName(leaf)} RMS ${formatNumber(rms)}, ${formatNumber(ratio)}× the largest layer's after it (${reference?.name ?? '?'})`);
    if (signal < thresholds.vanishingRatio) details.push(`backpropagated gradient ${formatNumber(signal)}× the largest after it`);
    if (logUpdate < thresholds.updateRatioLow) details.push(`update ratio ${formatNumber(10 ** logUpdate)}`);
    details[details.length - 1] += `, in ${v.steps} of ${v.of} steps`;
    Object.assign(evidence, { gradRms: rms, ratioToLargest: ratio, signalRatio: signal, log10UpdateRatio: logUpdate, steps: v.steps, windowSteps: v.of, ...(v.span ? spanEvidence(v.span) : {}) });
    fixes = vanishingFixes(spec, v.last, leaf, span);
  } else if (g) {
    // No relative verdict: the gains' step stands for the window the fixes read.
    fixes = isSaturating(activationAfter(spec, leaf)?.activation) ? distinct([...replaceSaturating(spec, leaf, ['relu']), ...wrapResidual(spec, span[0], activationAfter(spec, spec.leaves[span[1]])?.leaf.index ?? span[1])]) : [];
  }
  if (g) details.push(...gainDetails(spec, g));
  if (g && !isSaturating(g.gain.activation)) fixes = distinct([...gainFixes(spec, g), ...fixes]);
  let explanation = VANISHING_EXPLANATION;
  let relatedInfo = v ? related(spec, v.last, leaf, true) : undefined;
  const scaleFree = !g && isNorm(leaf) ? scaleFreeCause(spec, false) : undefined;
  const narrow = !scaleFree ? narrowCause(spec, fixes) : undefined;
  for (const cause of [scaleFree, narrow]) {
    if (!cause) continue;
    details.push(cause.detail);
    Object.assign(evidence, cause.evidence);
    fixes = distinct([...cause.fixes, ...fixes]);
    explanation = cause.explanation;
    relatedInfo = cause.related ?? relatedInfo;
  }
  return {
    code: 'vanishing-gradient',
    severity: 'warning',
    layer: leaf.index,
    line: leaf.line,
    message: `${headline('Vanishing gradient', v?.span)}${details.join('; ')}`,
    explanation,
    evidence,
    related: relatedInfo,
    fixes,
  };
}

interface NamedCause {
  detail: string;
  evidence: Record<string, number>;
  fixes: FixSuggestion[];
  explanation: string;
  related?: LayerFinding['related'];
}

/**
 * A norm layer's γ flagged by the relative rule because the weights before the norm layers have
 * an init off the matched one (signal-gain.ts scaleFreeInits): the init is the cause, not depth.
 */
function scaleFreeCause(spec: NetworkSpec, grow: boolean): NamedCause | undefined {
  const layers = scaleFreeInits(spec, grow);
  if (layers.length === 0) return undefined;
  // Named by the layer furthest off (the first layer's fan-in is often the data's, unlike the rest).
  const first = layers.reduce((a, b) => (Math.abs(Math.log(b.ratio)) > Math.abs(Math.log(a.ratio)) ? b : a));
  const name = first.init === 'he' ? 'He' : 'Xavier';
  const where = layers.length > 1 ? `${layers[0].leaf.name}…${layers[layers.length - 1].leaf.name}` : first.leaf.name;
  return {
    detail: `not a signal ${grow ? 'growing' : 'shrinking'} through depth: the norm layers make the weights of ${where} scale-free, so their gradients scale as 1/‖W‖ — ${initHasStd(first.leaf.init, formatNumber(first.actual))}, ${formatNumber(first.ratio)}× ${name}'s ${formatNumber(first.std)} for fan-in ${first.fanIn}, and leaves their gradients ${formatNumber(first.ratio)}× ${grow ? 'smaller' : 'larger'} than γ's`,
    evidence: { initStd: first.actual, recommendedStd: first.std, initRatio: first.ratio },
    fixes: matchInits(spec, grow, (leaf) => layers.find((l) => l.leaf === leaf)),
    explanation: SCALE_FREE_EXPLANATION,
    related: layers.filter((l, i, all) => all.findIndex((o) => o.leaf.line === l.leaf.line) === i)
      .map((l) => ({ line: l.leaf.line, message: `${l.leaf.name}: ${initHasStd(l.leaf.init, formatNumber(l.actual))} (${name}: ${formatNumber(l.std)}).` })),
  };
}

/**
 * A vanishing layer in a ReLU-family stack whose inits are already matched (no init fix applies)
 * and whose Σ 1/width over the hidden layers is large: the narrow deep stack of Hanin & Rolnick.
 */
function narrowCause(spec: NetworkSpec, fixes: FixSuggestion[]): NamedCause | undefined {
  if (fixes.some((f) => f.kind === 'use-init' || f.kind === 'use-inits' || f.kind === 'use-activation')) return undefined;
  const narrow = narrowStack(spec);
  if (!narrow) return undefined;
  return {
    detail: `the init is matched, but the stack is narrow and deep: Σ 1/width over its ${narrow.layers.length} hidden layers is ${formatNumber(narrow.sum)} (30 layers of width 64 sum to 0.47)`,
    evidence: { reciprocalWidthSum: narrow.sum },
    fixes: distinct([...widenTo(spec, narrow.layers), ...fixes]),
    explanation: NARROW_EXPLANATION,
  };
}

function explodingFinding(context: Context, leaf: LeafLayer, v: Verdict | undefined, g: GainVerdict | undefined): LayerFinding {
  const { spec, thresholds } = context;
  const details: string[] = [];
  const evidence: Record<string, number> = gainEvidence(g);
  if (v) {
    const rms = medianOf(v.samples.map((s) => s.rms));
    const ratio = medianOf(v.samples.map((s) => s.aboveSmallest));
    const signal = medianOf(v.samples.map((s) => s.signalAbove));
    const logUpdate = medianOf(v.samples.map((s) => s.logUpdate));
    const smallestAt = v.samples[v.samples.length - 1].smallest;
    details.push(`${gradName(leaf)} RMS ${formatNumber(rms)}`);
    if (!Number.isNaN(ratio)) details.push(`${formatNumber(ratio)}× the smallest layer's after it (${smallestAt !== undefined ? spec.leaves[smallestAt].name : '?'})`);
    if (signal > thresholds.explodingRatio) details.push(`backpropagated gradient ${formatNumber(signal)}× the smallest after it`);
    if (logUpdate > thresholds.updateRatioHigh) details.push(`update ratio ${formatNumber(10 ** logUpdate)}`);
    if (v.spikes) details.push(`norm ${formatNumber(v.spikeNorm)}, ${formatNumber(v.spikeNorm / v.runningMedian)}× its running median`);
    details[details.length - 1] += `, in ${v.steps} of ${v.of} steps`;
    Object.assign(evidence, { gradRms: rms, log10UpdateRatio: logUpdate, steps: v.steps, windowSteps: v.of });
    if (!Number.isNaN(ratio)) evidence.ratioToSmallest = ratio;
    if (!Number.isNaN(signal)) evidence.signalRatio = signal;
    if (v.spikes) Object.assign(evidence, { spikes: v.spikes, spikeNorm: v.spikeNorm, runningMedian: v.runningMedian });
    if (v.span) Object.assign(evidence, spanEvidence(v.span));
  }
  if (g) details.push(...gainDetails(spec, g));
  // Growth present at initialisation is the init's: its fix first; the relative rule's after.
  let fixes = distinct([...(g ? gainFixes(spec, g) : []), ...(v && !(g && gainFixes(spec, g).length) ? explodingFixes(context, leaf, v) : [])]);
  const scaleFree = !g && isNorm(leaf) ? scaleFreeCause(spec, true) : undefined;
  if (scaleFree) {
    details.push(scaleFree.detail);
    Object.assign(evidence, scaleFree.evidence);
    fixes = distinct([...scaleFree.fixes, ...fixes]);
  }
  // Growth with matched inits through norms placed after ReLUs (remedies.ts normBeforeActivation),
  // or on γ of such a norm: normalising before the activation removes it — first, since the
  // matched init alone leaves that growth (measured: the flag moves from γ to the dense line).
  if (isNorm(leaf) || (g && gainFixes(spec, g).length === 0)) fixes = distinct([...normBeforeActivation(spec), ...fixes]);
  return {
    code: 'exploding-gradient',
    severity: 'warning',
    layer: leaf.index,
    line: leaf.line,
    message: `${headline('Exploding gradient', v?.span)}${details.join('; ')}`,
    explanation: scaleFree ? SCALE_FREE_EXPLANATION : EXPLODING_EXPLANATION,
    evidence,
    related: scaleFree?.related ?? (v ? related(spec, v.last, leaf, false) : undefined),
    fixes,
  };
}
