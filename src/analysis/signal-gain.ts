// Exploding and vanishing judged by signal growth through depth. ∇W = xᵀδ multiplies the
// forward activation x by the backpropagated gradient δ, so when an init is too large x grows
// toward the output exactly as fast as δ grows toward the input and ‖∇W‖ is flat across depth —
// the relative rule in gradient-flow.ts sees nothing while both signals explode. Here both are
// measured at initialisation (the first judged step, before any update could cause them):
//   forward gain  g_f = RMS(h_l) / RMS(h_{l−1})   (activations, per value)
//   backward gain g_b = ‖δ_{l−1}‖ / ‖δ_l‖          (gradients, whole layer)
// A variance-preserving init makes both ≈ 1 per layer (Glorot & Bengio 2010 for
// tanh/sigmoid/linear, He et al. 2015 for the ReLU family), whatever the widths: fan-in inits
// keep the per-unit activation scale and the norm of the gradient. Their product over depth is
// what explodes or vanishes (Saxe et al. 2014 for deep linear nets; Poole et al. 2016 for
// tanh). A convolution is the same unit with PyTorch's fans (fan-in C·K·K, fan-out OUT·K·K):
// each output sees C·K·K inputs, each input reaches OUT·K·K/stride² outputs. Pooling and flatten
// have gains of their own that no init sets (avgpool K×K: ‖δ_in‖ = ‖δ_out‖/K exactly, RMS ×1/K
// for uncorrelated inputs; maxpool: ‖δ_in‖ = ‖δ_out‖ exactly, RMS up by the expected maximum of
// K² values), so the products step over them. docs/gradient-health.md, "Signal gains".

import type { StepFrame } from '../engine/telemetry';
import type { ActivationKind, InitSpec, LayerNode, LeafLayer, NetworkSpec, Thresholds } from '../lang/spec';
import { ACTIVATIONS } from '../kinds';
import { type AffineLayer, activationAfter, activationOf, isAffine, isFusedWithLoss, matchedInit, weightFans } from './network';
import { statsOf } from './window';
import { INIT_SCALE_TOLERANCE, NARROW_SUM } from './remedies';

/** A dense or convolution layer with the activation after it: the unit whose init decides its gains. */
export interface LayerGain {
  leaf: AffineLayer;
  /** The leaf whose output is the block's output: its fused activation (itself) or the standalone one after it. */
  end: LeafLayer;
  activation: ActivationKind;
  /** RMS(block output) / RMS(block input); undefined where the input is not a measured leaf's output (the data, a residual sum). */
  forward?: number;
  /** ‖∂L/∂input‖ / ‖∂L/∂(block output)‖. */
  backward?: number;
  /** Activation growth compounded from where the scale was last reset (a norm layer, a bounded activation) to this block's output. */
  forwardUp?: number;
  /** Activation shrinkage compounded from where the scale was last floored (a norm layer, sigmoid, softmax) to this block's output. */
  forwardDown?: number;
  /** Layers the forward products span, and the largest (up) and smallest (down) single gain in them. */
  forwardUpDepth: number;
  forwardDownDepth: number;
  forwardUpMax?: number;
  forwardDownMin?: number;
  /** ‖∂L/∂(block output)‖ / ‖∂L/∂(network output)‖: the backward gains of every later leaf, compounded (a plain chain to the output only). */
  backwardTotal?: number;
  /** Weighted layers from this one to the output, and the largest and smallest single backward gain among them. */
  backwardDepth: number;
  backwardMax?: number;
  backwardMin?: number;
  /** The init's standard deviation (and mean), and the one the matched init gives at this width. */
  initStd: number;
  initMean: number;
  recommended: 'he' | 'xavier';
  recommendedStd: number;
  /** The weight's fans (torch.nn.init's): the init's std is judged at these. */
  fanIn: number;
  fanOut: number;
}

/** The standard deviation and mean an init draws W [fanIn, fanOut] with (src/engine/init.ts). */
export function initMoments(init: InitSpec, fanIn: number, fanOut: number): { std: number; mean: number } {
  switch (init.kind) {
    case 'he':
      return { std: Math.sqrt(2 / fanIn), mean: 0 };
    case 'lecun':
      return { std: Math.sqrt(1 / fanIn), mean: 0 };
    case 'xavier':
      return { std: Math.sqrt(2 / (fanIn + fanOut)), mean: 0 };
    case 'normal':
      return { std: init.std, mean: init.mean };
    case 'uniform':
      return { std: (init.high - init.low) / Math.sqrt(12), mean: (init.high + init.low) / 2 };
    case 'zeros':
      return { std: 0, mean: 0 };
    case 'ones':
      return { std: 0, mean: 1 };
  }
}

/** The std of the init matched to an activation (He for the ReLU family, Xavier otherwise) at this layer's widths. */
export function recommendedStd(activation: ActivationKind, fanIn: number, fanOut: number): { init: 'he' | 'xavier'; std: number } {
  const init = matchedInit(activation);
  return { init, std: init === 'he' ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut)) };
}

/** Outputs bounded whatever the input's scale: growth cannot pass through them. */
function capsGrowth(leaf: LeafLayer): boolean {
  if (leaf.kind === 'layernorm' || leaf.kind === 'batchnorm') return true;
  const activation = activationOf(leaf);
  return activation === 'tanh' || activation === 'sigmoid' || activation === 'softmax';
}

/** Outputs of a fixed scale however small the input (sigmoid ≈ 0.5 at 0, a norm layer's unit scale): shrinkage cannot pass. */
function floorsShrinkage(leaf: LeafLayer): boolean {
  if (leaf.kind === 'layernorm' || leaf.kind === 'batchnorm') return true;
  const activation = activationOf(leaf);
  return activation === 'sigmoid' || activation === 'softmax';
}

/**
 * Layers whose gain is the architecture's, not an init's: pooling (avgpool K×K divides the
 * gradient's norm by exactly K, and the RMS of uncorrelated inputs by K; maxpool passes each
 * gradient to one input, norm unchanged, and raises the RMS to the expected maximum of its
 * window) and flatten (the same values). The products count them as gain 1, so a pooled
 * He-initialised stack is judged by its convolutions alone.
 */
function structural(leaf: LeafLayer): boolean {
  return leaf.kind === 'maxpool2d' || leaf.kind === 'avgpool2d' || leaf.kind === 'flatten';
}

/** Unbounded above: activations can grow through it without limit. */
export function isUnbounded(activation: ActivationKind): boolean {
  return activation !== 'tanh' && activation !== 'sigmoid' && activation !== 'softmax';
}

/**
 * Each leaf's predecessor and successor in a plain chain: the leaf whose output is its input and
 * the one that reads its output, when that is one leaf alone. Undefined at the data (the first
 * leaf's input), and around residual blocks: the first leaf after a block reads the sum
 * x + block(x), and the leaf before a block feeds the skip path too, so neither the forward
 * nor the backward gain telescopes across them.
 */
function chains(spec: NetworkSpec): { pred: Map<number, number | undefined>; succ: Map<number, number | undefined> } {
  const pred = new Map<number, number | undefined>();
  const succ = new Map<number, number | undefined>();
  const walk = (nodes: LayerNode[], before: number | undefined): void => {
    let previous = before;
    let sequential = true;
    for (const node of nodes) {
      if (node.kind === 'residual') {
        walk(node.body, previous);
        previous = undefined;
        sequential = false;
      } else {
        pred.set(node.index, previous);
        if (previous !== undefined && sequential) succ.set(previous, node.index);
        previous = node.index;
        sequential = true;
      }
    }
  };
  walk(spec.layers, undefined);
  return { pred, succ };
}

/** A product of per-layer gains along a chain, how many weighted layers it spans, and its extreme factors. */
interface Chain {
  product: number;
  depth: number;
  max: number;
  min: number;
}

function extend(previous: Chain | undefined, gain: number, weighted: number): Chain {
  if (!previous) return { product: gain, depth: weighted, max: gain, min: gain };
  return { product: previous.product * gain, depth: previous.depth + weighted, max: Math.max(previous.max, gain), min: Math.min(previous.min, gain) };
}

const rmsOf = (frame: StepFrame, index: number): number | undefined => {
  const s = statsOf(frame, index);
  if (!s) return undefined;
  const rms = Math.hypot(s.outMean, s.outStd);
  return Number.isFinite(rms) ? rms : undefined;
};

/** The gradient leaving a leaf toward the loss, as backpropagation carries it. */
function signalAt(spec: NetworkSpec, frame: StepFrame, leaf: LeafLayer): number | undefined {
  const s = statsOf(frame, leaf.index);
  if (!s) return undefined;
  const signal = isFusedWithLoss(spec, leaf) ? s.inGradNorm : s.outGradNorm;
  return Number.isFinite(signal) ? signal : undefined;
}

/** Every dense layer's gains at one step (the first judged one: initialisation). */
export function layerGains(spec: NetworkSpec, frame: StepFrame): LayerGain[] {
  const { pred, succ } = chains(spec);
  // Per-leaf forward gains compounded in network order, restarting where the scale resets.
  const up = new Map<number, Chain>();
  const down = new Map<number, Chain>();
  // A linear dense layer with a standalone activation after it is one unit (`dense 32` then
  // `tanh`): its own output is a pre-activation, not a signal the next layer sees, so the chain
  // steps from the unit's input straight to the activation's output.
  const preActivation = (leaf: LeafLayer) => isAffine(leaf) && activationAfter(spec, leaf)?.leaf !== leaf;
  for (const leaf of spec.leaves) {
    if (preActivation(leaf)) continue;
    let before = pred.get(leaf.index);
    if (structural(leaf)) {
      // Gain 1: the chain goes on from the layer before, unchanged (or restarts after it, as it would).
      for (const [products, resets] of [[up, capsGrowth], [down, floorsShrinkage]] as const) {
        const previous = before === undefined || resets(spec.leaves[before]) ? undefined : products.get(before);
        if (previous) products.set(leaf.index, previous);
      }
      continue;
    }
    let weighted = isAffine(leaf) ? 1 : 0;
    if (before !== undefined && preActivation(spec.leaves[before])) {
      before = pred.get(before);
      weighted = 1;
    }
    const rms = rmsOf(frame, leaf.index);
    const inRms = before === undefined ? undefined : rmsOf(frame, before);
    const gain = rms !== undefined && inRms !== undefined && inRms > 0 ? rms / inRms : undefined;
    const chain = (products: Map<number, Chain>, resets: (l: LeafLayer) => boolean) => {
      const previous = before === undefined || resets(spec.leaves[before]) ? undefined : products.get(before);
      if (gain === undefined || !Number.isFinite(gain)) return;
      products.set(leaf.index, extend(previous, gain, weighted));
    };
    chain(up, capsGrowth);
    chain(down, floorsShrinkage);
  }
  // Backward gains compounded from the output toward the input, along the plain chain that ends
  // at the output: the product of every later leaf's ‖δ_in‖/‖δ_out‖ (an output sigmoid fused
  // with bce passes the gradient at its input: gain 1).
  const last = spec.leaves[spec.leaves.length - 1];
  const back = new Map<number, Chain>();
  if (last) back.set(last.index, { product: 1, depth: 0, max: -Infinity, min: Infinity });
  for (let i = spec.leaves.length - 2; i >= 0; i--) {
    const next = succ.get(i);
    const after = next === undefined ? undefined : back.get(next);
    if (next === undefined || !after) continue;
    const leaf = spec.leaves[next];
    if (structural(leaf)) {
      back.set(i, after);
      continue;
    }
    const s = statsOf(frame, next);
    const gain = isFusedWithLoss(spec, leaf) ? 1 : s && s.outGradNorm > 0 ? s.inGradNorm / s.outGradNorm : undefined;
    if (gain === undefined || !Number.isFinite(gain)) continue;
    back.set(i, extend(after, gain, isAffine(leaf) ? 1 : 0));
  }
  const gains: LayerGain[] = [];
  for (const leaf of spec.leaves) {
    if (!isAffine(leaf)) continue;
    const after = activationAfter(spec, leaf) ?? { activation: 'linear' as ActivationKind, leaf };
    const end = after.leaf;
    const stats = statsOf(frame, leaf.index);
    const endSignal = signalAt(spec, frame, end);
    const before = pred.get(leaf.index);
    const inRms = before === undefined ? undefined : rmsOf(frame, before);
    const outRms = rmsOf(frame, end.index);
    const forward = inRms !== undefined && outRms !== undefined && inRms > 0 ? outRms / inRms : undefined;
    // The first layer's input gradient is the data's: an engine may not compute it (0).
    const backward = stats && endSignal !== undefined && endSignal > 0 && !(leaf.index === 0 && stats.inGradNorm === 0) && Number.isFinite(stats.inGradNorm)
      ? stats.inGradNorm / endSignal : undefined;
    const { fanIn, fanOut } = weightFans(leaf);
    const { std, mean } = initMoments(leaf.init, fanIn, fanOut);
    const rec = recommendedStd(after.activation, fanIn, fanOut);
    const upAt = up.get(end.index);
    const downAt = down.get(end.index);
    gains.push({
      leaf,
      end,
      activation: after.activation,
      forward,
      backward,
      forwardUp: upAt?.product,
      forwardDown: downAt?.product,
      forwardUpDepth: upAt?.depth ?? 0,
      forwardDownDepth: downAt?.depth ?? 0,
      forwardUpMax: upAt?.max,
      forwardDownMin: downAt?.min,
      backwardTotal: back.get(end.index)?.product,
      backwardDepth: back.get(end.index)?.depth ?? 0,
      backwardMax: back.get(end.index)?.max,
      backwardMin: back.get(end.index)?.min,
      initStd: std,
      initMean: mean,
      recommended: rec.init,
      recommendedStd: rec.std,
      fanIn,
      fanOut,
    });
  }
  return gains;
}

/** Why a layer is flagged by its gains: which signal passed the threshold, and by how much. */
export interface GainVerdict {
  condition: 'exploding' | 'vanishing';
  gain: LayerGain;
  /** The compounded gain that passed the threshold, and over how many weighted layers. */
  signal: 'forward' | 'backward';
  total: number;
  depth: number;
  /** Geometric mean per layer of that compounded gain. */
  perLayer: number;
  step: number;
}

/**
 * The layers whose compounded gain passes a threshold: backward above `explodingRatio` or below
 * `vanishingRatio`, or forward (activations) growing past `explodingRatio` on a layer whose
 * activation cannot cap it, or shrinking below `vanishingRatio` where nothing floors it. The
 * thresholds are the relative rule's: one order of magnitude of growth or loss across depth.
 * Only signals compounded over at least two layers count, so one layer's own scale (the first
 * layer of unnormalised data, a narrow output) is not depth.
 */
export function gainVerdicts(spec: NetworkSpec, frame: StepFrame | undefined, thresholds: Thresholds): Map<number, GainVerdict> {
  const verdicts = new Map<number, GainVerdict>();
  if (!frame) return verdicts;
  for (const gain of layerGains(spec, frame)) {
    const candidates: Omit<GainVerdict, 'gain' | 'step'>[] = [];
    // Growth through depth, not one layer's scale: without its largest single factor the
    // product must still pass √threshold (an oversized output layer alone is initial-loss's).
    const add = (condition: GainVerdict['condition'], signal: GainVerdict['signal'], total: number | undefined, depth: number, extreme: number | undefined) => {
      if (total === undefined || !(total > 0) || !Number.isFinite(total) || depth < 2 || extreme === undefined || !(extreme > 0)) return;
      const rest = total / extreme;
      if (condition === 'exploding' ? rest < Math.sqrt(thresholds.explodingRatio) : rest > Math.sqrt(thresholds.vanishingRatio)) return;
      candidates.push({ condition, signal, total, depth, perLayer: total ** (1 / depth) });
    };
    if (gain.backwardTotal !== undefined) {
      if (gain.backwardTotal > thresholds.explodingRatio) add('exploding', 'backward', gain.backwardTotal, gain.backwardDepth, gain.backwardMax);
      if (gain.backwardTotal < thresholds.vanishingRatio) add('vanishing', 'backward', gain.backwardTotal, gain.backwardDepth, gain.backwardMin);
    }
    if (isUnbounded(gain.activation) && gain.forwardUp !== undefined && gain.forwardUp > thresholds.explodingRatio) add('exploding', 'forward', gain.forwardUp, gain.forwardUpDepth, gain.forwardUpMax);
    if (gain.activation !== 'sigmoid' && gain.forwardDown !== undefined && gain.forwardDown < thresholds.vanishingRatio) add('vanishing', 'forward', gain.forwardDown, gain.forwardDownDepth, gain.forwardDownMin);
    if (candidates.length === 0) continue;
    // One verdict per layer: the signal furthest from 1 (in orders of magnitude).
    const strongest = candidates.reduce((a, b) => (Math.abs(Math.log(b.total)) > Math.abs(Math.log(a.total)) ? b : a));
    verdicts.set(gain.leaf.index, { ...strongest, gain, step: frame.step });
  }
  return verdicts;
}

/** A dense or convolution layer's init scale against the matched init's std at its fans (ratio > 1: too large). */
export function initScale(spec: NetworkSpec, leaf: LeafLayer): { ratio: number; init: 'he' | 'xavier'; std: number; actual: number; fanIn: number } | undefined {
  if (!isAffine(leaf)) return undefined;
  const activation = activationAfter(spec, leaf)?.activation ?? 'linear';
  const { fanIn, fanOut } = weightFans(leaf);
  const { std, mean } = initMoments(leaf.init, fanIn, fanOut);
  const rec = recommendedStd(activation, fanIn, fanOut);
  const actual = Math.hypot(std, mean);
  return { ratio: actual / rec.std, init: rec.init, std: rec.std, actual, fanIn };
}

/**
 * The first layer's output RMS over what its init gives inputs of unit RMS (σ·√fan_in, halved
 * in power by a ReLU-family activation): about the inputs' RMS. Undefined when the first layer
 * is not a dense layer with an unbounded activation (a bounded one hides the scale).
 */
export function inputScale(spec: NetworkSpec, frame: StepFrame): number | undefined {
  const first = spec.leaves[0];
  if (!isAffine(first)) return undefined;
  const after = activationAfter(spec, first);
  const scale = initScale(spec, first);
  if (!after || !isUnbounded(after.activation) || !scale || !(scale.actual > 0)) return undefined;
  const rms = rmsOf(frame, after.leaf.index);
  const halved = after.activation === 'linear' ? 1 : Math.SQRT1_2;
  return rms === undefined ? undefined : rms / (scale.actual * Math.sqrt(scale.fanIn) * halved);
}

/** A normalisation layer: its output does not change with the scale of its input. */
export function isNorm(leaf: LeafLayer | undefined): boolean {
  return leaf?.kind === 'layernorm' || leaf?.kind === 'batchnorm';
}

/**
 * The dense and convolution layers whose output (after their activation) a norm layer reads,
 * with an init scale off the matched one the way `grow` says (too large when true). A norm
 * layer makes those weights scale-free — the network's output does not change when they are
 * scaled — so their gradient scales as 1/‖W‖ (van Laarhoven 2017; Arora, Li & Lyu 2019): an
 * init c× the matched one leaves them c× smaller gradients than γ's, which the relative rule
 * reads as γ exploding (c > 1) or vanishing (c < 1). Not a signal growing through depth.
 */
export function scaleFreeInits(spec: NetworkSpec, grow: boolean): { leaf: AffineLayer; ratio: number; init: 'he' | 'xavier'; std: number; actual: number; fanIn: number }[] {
  if (spec.weights) return [];
  const found: ReturnType<typeof scaleFreeInits> = [];
  for (const leaf of spec.leaves) {
    if (!isAffine(leaf)) continue;
    const end = activationAfter(spec, leaf)?.leaf ?? leaf;
    if (!isNorm(spec.leaves[end.index + 1]) && !isNorm(spec.leaves[leaf.index + 1])) continue;
    const scale = initScale(spec, leaf);
    if (!scale) continue;
    if (grow ? scale.ratio > INIT_SCALE_TOLERANCE : scale.ratio < 1 / INIT_SCALE_TOLERANCE) found.push({ leaf, ...scale });
  }
  return found;
}

/**
 * Σ 1/width over the hidden dense and convolution layers (the output layer left out: its width
 * is the task's). Hanin & Rolnick (2018): in a ReLU net at He
 * init the mean squared activation length is kept, but its spread grows exponentially in this
 * sum, and Hanin (2018) shows the same for the gradient's entries — so a narrow deep stack's
 * typical signal shrinks (or dies) even with the matched init. Width: units, or channels.
 */
export function reciprocalWidthSum(spec: NetworkSpec): { sum: number; layers: AffineLayer[] } {
  const hidden = spec.leaves.filter(isAffine).slice(0, -1);
  const width = (leaf: AffineLayer) => (leaf.kind === 'dense' ? leaf.outputWidth : leaf.filters);
  return { sum: hidden.reduce((s, leaf) => s + 1 / width(leaf), 0), layers: hidden };
}

/**
 * The hidden layers and their Σ 1/width when the stack is narrow and deep (Σ ≥ NARROW_SUM) and
 * every hidden layer is ReLU-family with its matched init: the depth-and-width failure of
 * Hanin & Rolnick (2018), which no init fixes. Undefined otherwise.
 */
export function narrowStack(spec: NetworkSpec): { sum: number; layers: AffineLayer[] } | undefined {
  if (spec.weights) return undefined;
  const stack = reciprocalWidthSum(spec);
  if (stack.sum < NARROW_SUM || stack.layers.length === 0) return undefined;
  const matched = (leaf: AffineLayer) => {
    const activation = activationAfter(spec, leaf)?.activation;
    const scale = initScale(spec, leaf);
    return activation !== undefined && ACTIVATIONS[activation].traits.reluFamily && scale !== undefined &&
      scale.ratio <= INIT_SCALE_TOLERANCE && scale.ratio >= 1 / INIT_SCALE_TOLERANCE;
  };
  return stack.layers.every(matched) ? stack : undefined;
}

