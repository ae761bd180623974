// What the analysis needs to know about the checked network: which leaves have weights,
// which activation a leaf applies, which init suits it, and the optimizer's settings.
// Reads NetworkSpec only; no telemetry here.

import type { ActivationKind, InitSpec, LeafLayer, NetworkSpec } from '../lang/spec';
import { ACTIVATIONS, activationOf, kindOf } from '../kinds';
import { matchedInit } from '../kinds/init';

/** Bounded with flat tails (sigmoid, tanh: the kind's saturation trait), so the derivative goes to 0 for large |x| (Glorot & Bengio 2010). */
export function isSaturating(activation: ActivationKind | undefined): boolean {
  return activation !== undefined && ACTIVATIONS[activation].traits.saturation !== null;
}

/** Exactly 0 for every negative input (relu: the kind's canDie trait), so a unit can die. leaky_relu/elu/gelu cannot. */
export function isDeadable(activation: ActivationKind | undefined): boolean {
  return activation !== undefined && ACTIVATIONS[activation].traits.canDie;
}

export { activationOf };

/** An output sigmoid under bce: the loss's gradient (p − y) skips σ', so the two act as one. */
export function isFusedWithLoss(spec: NetworkSpec, leaf: LeafLayer): boolean {
  return leaf.index === spec.leaves.length - 1 && spec.loss.kind === 'bce' && activationOf(leaf) === 'sigmoid';
}

export function hasParams(leaf: LeafLayer): boolean {
  return leaf.params.length > 0;
}

/**
 * A layer that multiplies its input by weights drawn from its `init=` and applies an optional
 * fused activation (its kind's `affine` trait: dense and the convolutions). Its init scale
 * sets its signal gains.
 */
export type AffineLayer = Extract<LeafLayer, { activation: ActivationKind; init: InitSpec }>;

export function isAffine(leaf: LeafLayer | undefined): leaf is AffineLayer {
  return leaf !== undefined && kindOf(leaf).traits.affine;
}

/** The activation of a layer that applies one and nothing else (its kind's `activationOnly` trait), else undefined. */
function standaloneActivation(leaf: LeafLayer | undefined): ActivationKind | undefined {
  return leaf !== undefined && kindOf(leaf).traits.activationOnly ? activationOf(leaf) : undefined;
}

/** The fans torch.nn.init computes for the layer's weight, which the engine draws it with (its kind's, src/kinds/layers/). */
export function weightFans(leaf: AffineLayer): { fanIn: number; fanOut: number } {
  return kindOf(leaf).weightFans!(leaf);
}

/**
 * The dense or convolution layer whose init and weights feed a leaf's activation: the leaf
 * itself when it is one, or the one right before a standalone activation layer.
 */
export function weightsFeeding(spec: NetworkSpec, leaf: LeafLayer): AffineLayer | undefined {
  if (isAffine(leaf)) return leaf;
  const before = spec.leaves[leaf.index - 1];
  if (standaloneActivation(leaf) !== undefined && isAffine(before)) return before;
  return undefined;
}

/**
 * The activation that follows a dense or convolution layer's affine map: its fused one, or a
 * standalone activation layer right after it (`dense 32` then `sigmoid`).
 */
export function activationAfter(spec: NetworkSpec, leaf: LeafLayer): { activation: ActivationKind; leaf: LeafLayer } | undefined {
  const own = standaloneActivation(leaf);
  if (own !== undefined) return { activation: own, leaf };
  if (!isAffine(leaf)) return undefined;
  if (leaf.activation !== 'linear') return { activation: leaf.activation, leaf };
  const next = spec.leaves[leaf.index + 1];
  const following = standaloneActivation(next);
  if (following !== undefined) return { activation: following, leaf: next! };
  return { activation: 'linear', leaf };
}

/** The init that suits an activation: the kinds' own default rule (src/kinds/init.ts). */
export { matchedInit };

/** `init normal(0, 1) has std 1` — or, for an init measured from a run log, `measured init std 1.41` (said once). */
export function initHasStd(init: InitSpec, std: string): string {
  return init.kind === 'normal' && init.measured ? `measured init std ${std}` : `init ${initName(init)} has std ${std}`;
}

export function initName(init: InitSpec): string {
  switch (init.kind) {
    case 'normal':
      if (init.measured) return `measured ${init.mean !== 0 ? `mean ${init.mean}, ` : ''}std ${init.std}`;
      return `normal(${init.mean}, ${init.std})`;
    case 'uniform':
      return `uniform(${init.low}, ${init.high})`;
    default:
      return init.kind;
  }
}

export function learningRate(spec: NetworkSpec): number {
  return spec.optimizer.lr;
}

export function hasClip(spec: NetworkSpec): boolean {
  return spec.optimizer.clip !== undefined;
}

/** Leaves that sit directly in the top-level sequence (not inside a residual body). */
export function topLevelLeafIndices(spec: NetworkSpec): Set<number> {
  const top = new Set<number>();
  for (const node of spec.layers) if (node.kind !== 'residual') top.add(node.index);
  return top;
}

/** Line of the last leaf: where network-wide findings go (NetworkSpec has no `loss` line). */
export function lastLeafLine(spec: NetworkSpec): number {
  const last = spec.leaves[spec.leaves.length - 1];
  return last ? last.line : 0;
}
