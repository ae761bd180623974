// The quick fixes the analysis proposes, as intents (src/lang/rewrites.ts). Each builder
// returns nothing when the fix would not change the file (the init is already the one it
// would set, a clip is already there), so no finding offers a no-op — nor one that would
// not remove the flag: every rule offers only fixes that act on the cause it measured, and
// test/analysis/measure-fixes.ts applies each one to the examples and variants, re-probes,
// and checks that the flag is gone (docs/gradient-health.md, "Quick fixes").

import type { StepFrame } from '../engine/telemetry';
import type { LeafLayer, NetworkSpec } from '../lang/spec';
import type { FixSuggestion } from '../lang/rewrites';
import { type AffineLayer, activationAfter, hasClip, isAffine, isSaturating, learningRate, matchedInit, topLevelLeafIndices } from './network';
import { log10UpdateRatio, statsOf } from './window';

/** log10 of the update ratio Karpathy calls healthy (CS231n; makemore part 3). */
export const HEALTHY_LOG10_UPDATE_RATIO = -3;
/**
 * The most an lr fix changes lr by when the init is broken (backward gain out of band; see
 * analyze): an update ratio further than this from healthy is then the gradients' fault, and
 * an lr 10⁴× smaller would only hide that. With a sound init the change is not limited.
 */
export const MAX_LR_FACTOR = 1000;

/** A learning rate rounded to one significant digit, so the edit reads `lr=0.003`, not `lr=0.0031622`. */
export function roundLr(lr: number): number {
  return Number(lr.toPrecision(1));
}

/** Scale the optimizer's lr; nothing when the result would not differ or is not a usable number. */
export function scaleLr(spec: NetworkSpec, factor: number): FixSuggestion[] {
  const lr = roundLr(learningRate(spec) * factor);
  if (!(lr > 0) || !Number.isFinite(lr) || lr === learningRate(spec)) return [];
  return [{ kind: 'set-lr', lr }];
}

/**
 * Scale lr so an update ratio of 10^log10Ratio moves to the healthy 1e-3 (step size is
 * proportional to lr: exactly for SGD, to first order for Adam/RMSprop). Only lowers when
 * `direction` is 'lower' (and only raises for 'raise'); nothing when the factor needed is
 * beyond `maxFactor`.
 */
export function lrTowardHealthy(spec: NetworkSpec, log10Ratio: number, direction: 'lower' | 'raise', maxFactor = MAX_LR_FACTOR): FixSuggestion[] {
  if (!Number.isFinite(log10Ratio)) return [];
  const log10Factor = HEALTHY_LOG10_UPDATE_RATIO - log10Ratio;
  if (direction === 'lower' ? log10Factor >= 0 : log10Factor <= 0) return [];
  if (Math.abs(log10Factor) > Math.log10(maxFactor)) return [];
  return scaleLr(spec, 10 ** log10Factor);
}

/**
 * One lr for the whole network: the one at which the first judged step's largest update
 * ratio (over the weighted layers) would be the healthy 1e-3. The first step is taken because
 * it is the one proportional to lr alone; later steps of a diverging probe are inflated or
 * (once tanh units saturate) deflated by the divergence itself — measured: a median over them
 * asked for lr 10 → 5e-6 on one network and 100 → 30 (not enough) on another. The largest
 * layer is taken so no layer's step ends up over 1e-3; one lr for every flag, not one per
 * layer, so all its diagnostics share one quick fix.
 */
export function lrFromFirstStep(spec: NetworkSpec, frames: StepFrame[], direction: 'lower' | 'raise', maxFactor = MAX_LR_FACTOR): FixSuggestion[] {
  for (const frame of frames) {
    let largest = -Infinity;
    for (const leaf of spec.leaves) {
      const stats = leaf.params.length > 0 ? statsOf(frame, leaf.index) : undefined;
      const log = stats && log10UpdateRatio(stats);
      if (log !== undefined && Number.isFinite(log) && log > largest) largest = log;
    }
    if (Number.isFinite(largest)) return lrTowardHealthy(spec, largest, direction, maxFactor);
  }
  return [];
}

export function addClip(spec: NetworkSpec): FixSuggestion[] {
  return hasClip(spec) ? [] : [{ kind: 'add-clip', clip: 1 }];
}

/** Set a dense or convolution layer's init, unless it already has it. */
export function useInit(leaf: LeafLayer | undefined, init: 'he' | 'xavier' | 'lecun'): FixSuggestion[] {
  if (!isAffine(leaf) || leaf.init.kind === init) return [];
  return [{ kind: 'use-init', layer: leaf.index, init }];
}

/** The init matched to the activation that follows a dense or convolution layer (He for ReLU-like, Xavier otherwise). */
export function useMatchedInit(spec: NetworkSpec, leaf: LeafLayer | undefined): FixSuggestion[] {
  if (!isAffine(leaf)) return [];
  const after = activationAfter(spec, leaf);
  return useInit(leaf, matchedInit(after ? after.activation : 'linear'));
}

/** Replace the saturating activation that follows a dense layer (fused or standalone) with relu/gelu + He. */
export function replaceSaturating(spec: NetworkSpec, leaf: LeafLayer, with_: ('relu' | 'gelu')[]): FixSuggestion[] {
  const after = activationAfter(spec, leaf);
  if (!after || !isSaturating(after.activation)) return [];
  return with_.map((activation) => ({ kind: 'use-activation', layer: after.leaf.index, activation, init: 'he' }));
}

/**
 * Insert a layernorm between a linear dense layer and the standalone activation after it
 * (`dense 32` · `layernorm` · `tanh`): it resets the pre-activation scale whatever the init,
 * so the activation sits in its responsive range and the backward gain returns near 1
 * (Ba et al. 2016). Nothing for a fused `dense 32 tanh`: a layernorm after it normalises the
 * next layer's input, but the next weights scale it right back into saturation (measured:
 * it left the flag on all 8 such networks) — and nothing when a normalisation layer is already there.
 */
export function normaliseBeforeActivation(spec: NetworkSpec, leaf: LeafLayer): FixSuggestion[] {
  const dense = leaf.kind === 'activation' ? spec.leaves[leaf.index - 1] : leaf;
  if (!dense || dense.kind !== 'dense' || dense.activation !== 'linear') return [];
  const after = spec.leaves[dense.index + 1];
  if (!after || after.kind !== 'activation' || after.activation === 'softmax') return [];
  return [{ kind: 'insert-layernorm', layer: dense.index }];
}

/**
 * Wrap leaves from..to in `residual { }` — only when they are consecutive top-level statements
 * and the run keeps the width (a residual block must: y = x + block(x)). A run on the line of
 * a `repeat` wraps that line, so every copy of it: each copy must keep the width too (the
 * first copy of `repeat 10 { dense 32 }` after `input 16` does not).
 */
export function wrapResidual(spec: NetworkSpec, from: number, to: number): FixSuggestion[] {
  const first = spec.leaves[from];
  const last = spec.leaves[to];
  if (!first || !last || first.inputWidth !== last.outputWidth) return [];
  const top = topLevelLeafIndices(spec);
  for (let i = from; i <= to; i++) if (!top.has(i)) return [];
  const copiesOf = (leaf: LeafLayer) => spec.leaves.filter((l) => l.line === leaf.line && l.kind === leaf.kind && l.range.start.character === leaf.range.start.character);
  const starts = copiesOf(first);
  const ends = copiesOf(last);
  if (starts.length > 1 || ends.length > 1) {
    if (starts.length !== ends.length) return [];
    for (let k = 0; k < starts.length; k++) if (starts[k].inputWidth !== ends[k].outputWidth) return [];
  }
  return [{ kind: 'wrap-residual', from, to }];
}

/** The softmax layer right before cross_entropy (which applies log-softmax itself), if there is one. */
export function removeSoftmax(spec: NetworkSpec): FixSuggestion[] {
  const last = spec.leaves[spec.leaves.length - 1];
  if (spec.loss.kind !== 'cross_entropy' || last?.kind !== 'activation' || last.activation !== 'softmax') return [];
  return [{ kind: 'remove-softmax', layer: last.index }];
}

/** Keep the first of equal suggestions (two rules may propose the same edit). */
export function distinct(fixes: FixSuggestion[]): FixSuggestion[] {
  const seen = new Set<string>();
  return fixes.filter((fix) => {
    const key = JSON.stringify(fix);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The matched init on every dense or convolution layer whose init scale pushes the signal the
 * way it went (too large for `grow`, too small otherwise): compounded gains are the product of
 * every layer's, so fixing the flagged layer alone leaves the others' growth. Each carries the
 * std the init gives at that layer's fans, which the fix's title names. Nothing when every such
 * layer is already matched.
 */
export function matchInits(spec: NetworkSpec, grow: boolean, initScale: (leaf: AffineLayer) => { ratio: number; init: 'he' | 'xavier'; std: number } | undefined): FixSuggestion[] {
  // Weights loaded from a file replace the init: changing `init=` would not change them.
  if (spec.weights) return [];
  const layers: { layer: number; init: 'he' | 'xavier'; std: number }[] = [];
  for (const leaf of spec.leaves) {
    if (!isAffine(leaf)) continue;
    const scale = initScale(leaf);
    if (!scale || leaf.init.kind === scale.init) continue;
    if (grow ? scale.ratio > INIT_SCALE_TOLERANCE : scale.ratio < 1 / INIT_SCALE_TOLERANCE) layers.push({ layer: leaf.index, init: scale.init, std: scale.std });
  }
  if (layers.length === 0) return [];
  return [{ kind: 'use-inits', layers }];
}

/** An init within this factor of the matched std is not what makes a signal grow or shrink. */
export const INIT_SCALE_TOLERANCE = 1.1;


/** `normalize=true` for a CSV read with `normalize=false`: the first layer sees the raw feature scale. */
export function normaliseData(spec: NetworkSpec): FixSuggestion[] {
  return spec.data.kind === 'csv' && !spec.data.normalize ? [{ kind: 'normalize-data' }] : [];
}

/**
 * Widen the narrowest hidden layers so Σ 1/width over them falls to NARROW_TARGET_SUM: every one
 * narrower than that goes to the same power of two (the smallest ≥ count/target). Nothing inside
 * or around a residual block (the block must keep its width), nor when no layer would change.
 */
export function widenTo(spec: NetworkSpec, layers: AffineLayer[]): FixSuggestion[] {
  if (layers.length === 0 || spec.layers.some((node) => node.kind === 'residual')) return [];
  const width = 2 ** Math.ceil(Math.log2(layers.length / NARROW_TARGET_SUM));
  const narrow = layers.filter((leaf) => (leaf.kind === 'dense' ? leaf.outputWidth : leaf.filters) < width);
  if (narrow.length === 0) return [];
  return [{ kind: 'widen', layers: narrow.map((leaf) => leaf.index), width }];
}

/**
 * Σ 1/width over the layers after a vanishing ReLU layer above which a matched init is not
 * enough: the narrow-stack diagnosis (Hanin & Rolnick 2018) applies. The healthy 30 × 64 He
 * stack sums to 0.47; 10 or more layers of width 8 (1.25) vanish. The widen fix aims at half that.
 */
export const NARROW_SUM = 1;
export const NARROW_TARGET_SUM = 0.5;

/**
 * Normalise before the activation: every layernorm/batchnorm that reads the output of a ReLU-family
 * activation fused into the dense or conv layer before it gets that activation moved after it.
 * A norm after a ReLU divides by the std of its output, which is below its RMS (the output's mean
 * is positive), so each such block multiplies the backpropagated gradient by about RMS/std ≈ 1.2
 * at He init whatever the weights' scale — ×10 over 10 blocks; before the activation (Ioffe &
 * Szegedy 2015's placement) it does not (measured: the flags of `dense 32 relu` · `layernorm` ×10
 * at He or normal(0, 1) all go).
 */
export function normBeforeActivation(spec: NetworkSpec): FixSuggestion[] {
  const layers: number[] = [];
  for (const leaf of spec.leaves) {
    if (leaf.kind !== 'layernorm' && leaf.kind !== 'batchnorm') continue;
    const before = spec.leaves[leaf.index - 1];
    if (isAffine(before) && before.activation !== 'linear' && matchedInit(before.activation) === 'he') layers.push(leaf.index);
  }
  return layers.length ? [{ kind: 'norm-before-activation', layers }] : [];
}

