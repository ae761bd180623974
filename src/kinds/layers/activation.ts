// The activation layer: an activation kind's name on a line of its own (`relu`, `softmax`,
// `leaky_relu alpha=0.1`) applies it to every value (softmax: over each example's vector).
// One statement word per activation kind (src/kinds/activations/), with that kind's docs.
// Forward and backward: engine/ops/activation.ts over the kind's kernels.

import { ActivationOp } from '../../engine/ops/activation';
import { ACTIVATION_LIST, activationDef, defaultAlpha, type ActivationKind } from '../activations';
import { defineLayer, vectorOnly, type LayerWord } from '../layer';
import { activationAlphaOption } from './options-alpha';

interface ActivationFields {
  activation: ActivationKind;
  /** For the kinds with an `alpha=` (leaky_relu, elu); 0 for the others. */
  alpha: number;
}

const WORDS: LayerWord[] = ACTIVATION_LIST.map((a) => ({
  name: a.name,
  syntax: a.syntax,
  params: 'none',
  options: a.alpha ? [activationAlphaOption(a.alpha)] : [],
  doc: `Activation layer. ${a.doc}`,
}));

export const activation = defineLayer<ActivationFields, ActivationFields, 'activation'>({
  name: 'activation',
  syntax: 'ACTIVATION [alpha=]',
  params: 'none',
  doc: 'An activation on a line of its own, applied to the previous layer\'s output.',
  options: [],
  words: WORDS,
  traits: { hasWeights: false, recurrent: false, perChannelUnits: false, activationOnly: true, affine: false },
  read(ctx) {
    const word = ctx.stmt.keyword.text as ActivationKind;
    ctx.extraArgs(0, word);
    return { activation: word, alpha: (ctx.values.get('alpha') as number | undefined) ?? defaultAlpha(word) };
  },
  // Element-wise kinds keep any shape; softmax normalises one vector per example.
  shape: (input, p) => (p.activation === 'softmax' ? vectorOnly('softmax', input) : undefined) ?? { output: [...input], params: [] },
  leaf: (p) => ({ activation: p.activation, alpha: p.alpha }),
  nameStem: (p) => p.activation,
  label: (leaf) => leaf.activation,
  build: (layer, x, ctx) => new ActivationOp(layer.index, x, layer.activation, layer.alpha, ctx.dtype, ctx.capacity),
  valuesPerExample: (layer) => 4 * layer.outputWidth, // output and its gradient, input and its gradient
  pytorch: { module: (leaf, py) => activationDef(leaf.activation).pytorch.replace('{alpha}', py(leaf.alpha)) },
  // Every activation kind after a linear dense layer, with the options its kind asks to check.
  gradcheck: ACTIVATION_LIST.flatMap((a) => a.gradcheck.map((options) => ({ input: 'input 3', lines: ['dense 4', options ? `${a.name} ${options}` : a.name] }))),
});
