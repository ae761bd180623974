// Every layer kind but dense and the activation layers (src/lang/layers.ts reads those, with
// the activation kinds of src/kinds/activations/), one registration line each. The checker, completion, hover, the
// grammar test, the docs test and the finite-difference test read this table.

import type { LeafLayer } from '../../lang/spec';
import type { AnyLayerKind, LayerTraits } from '../layer';
import { conv1d } from './conv1d';
import { conv2d } from './conv2d';
import { flatten } from './flatten';
import { gru, lstm, rnn } from './recurrent';
import { avgpool2d, maxpool2d } from './pool2d';
import { batchnorm, layernorm } from './norms';
import { dropout } from './dropout';

export const SHAPED_LAYERS = {
  layernorm,
  batchnorm,
  dropout,
  conv2d,
  conv1d,
  maxpool2d,
  avgpool2d,
  flatten,
  rnn,
  lstm,
  gru,
} satisfies { [K in ShapedKind]: AnyLayerKind };

/** The leaf kinds defined here: every leaf kind but those src/lang/layers.ts reads itself. */
export type ShapedKind = Exclude<LeafLayer['kind'], 'dense' | 'activation'>;

export const SHAPED_LAYER_LIST: readonly AnyLayerKind[] = Object.values(SHAPED_LAYERS);

export function shapedLayer(word: string): AnyLayerKind | undefined {
  return Object.hasOwn(SHAPED_LAYERS, word) ? SHAPED_LAYERS[word as ShapedKind] : undefined;
}

/** Health traits of every leaf kind: exhaustive, so a new kind without its traits does not compile. */
export const LAYER_TRAITS = {
  dense: { hasWeights: true, recurrent: false, perChannelUnits: false },
  activation: { hasWeights: false, recurrent: false, perChannelUnits: false },
  layernorm: layernorm.traits,
  batchnorm: batchnorm.traits,
  dropout: dropout.traits,
  conv2d: conv2d.traits,
  conv1d: conv1d.traits,
  maxpool2d: maxpool2d.traits,
  avgpool2d: avgpool2d.traits,
  flatten: flatten.traits,
  rnn: rnn.traits,
  lstm: lstm.traits,
  gru: gru.traits,
} satisfies Record<LeafLayer['kind'], LayerTraits>;
