// The kinds registry: every activation and layer kind, each defined in one file. Readers
// import from here.

import type { LeafLayer, NetworkSpec } from '../lang/spec';
import type { ActivationKind } from './activations';
import { assertNever } from './never';

export * from './activations';
export { LAYER_TRAITS, SHAPED_LAYERS, SHAPED_LAYER_LIST, shapedLayer, type ShapedKind } from './layers';
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

/** How a layer reads in tables, hovers and the inspector: `dense relu`, `tanh`, `dropout 0.2`, `layernorm`. */
export function layerLabel(leaf: LeafLayer): string {
  switch (leaf.kind) {
    case 'dense':
      return leaf.activation === 'linear' ? 'dense' : `dense ${leaf.activation}`;
    case 'activation':
      return leaf.activation;
    case 'dropout':
      return `dropout ${leaf.rate}`;
    case 'conv2d':
    case 'conv1d':
      return `${leaf.kind} k${leaf.kernel}${leaf.activation === 'linear' ? '' : ` ${leaf.activation}`}`;
    case 'maxpool2d':
    case 'avgpool2d':
      return `${leaf.kind} ${leaf.kernel}`;
    case 'rnn':
    case 'lstm':
    case 'gru':
      return leaf.sequences ? `${leaf.kind} sequences` : leaf.kind;
    case 'layernorm':
    case 'batchnorm':
    case 'flatten':
      return leaf.kind;
    default:
      return assertNever(leaf);
  }
}
