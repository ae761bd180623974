// The kinds registry: every activation and layer kind, each defined in one file. Readers
// import from here.

import type { LeafLayer, NetworkSpec } from '../lang/spec';
import type { ActivationKind } from './activations';
import { kindOf } from './layers';

export * from './activations';
export { LAYER_KINDS, LAYER_KIND_LIST, LAYER_WORDS, kindOf, layerKindOfWord, type LayerKind } from './layers';
export { assertNever } from './never';
export type { ActivationDef, ActivationTraits, ElementwiseActivation, RowwiseActivation } from './activation';

/** The activation a leaf applies itself (fused into a layer with weights, or an activation layer); undefined for others. */
export function activationOf(leaf: LeafLayer): ActivationKind | undefined {
  return 'activation' in leaf ? leaf.activation : undefined;
}

/** One example's shape at a leaf's output: [F], [C, H, W] or [T, F] (a leaf built without shapes is a vector). */
export function outputShapeOf(leaf: LeafLayer): number[] {
  return leaf.outputShape ?? [leaf.outputWidth];
}

/** One example's shape at the network's input. */
export function inputShapeOf(spec: NetworkSpec): number[] {
  return spec.inputShape ?? [spec.inputWidth];
}

/** How a layer reads in tables, hovers and the inspector: `dense relu`, `tanh`, `dropout 0.2`, `layernorm` (its kind's label). */
export function layerLabel(leaf: LeafLayer): string {
  return kindOf(leaf).label(leaf);
}
