// dropout RATE: in training, zero each value with probability RATE and scale the rest by
// 1/(1 − RATE) (inverted dropout, seeded); the identity in evaluation. Any shape.
// Forward and backward: engine/ops/dropout.ts.

import { DropoutOp } from '../../engine/ops/dropout';
import { defineLayer } from '../layer';

export const dropout = defineLayer<{ rate: number }, { rate: number }, 'dropout'>({
  name: 'dropout',
  syntax: 'dropout RATE',
  params: 'none',
  doc: 'Dropout: in training, zero each unit with probability RATE (0 ≤ RATE < 1) and scale the rest by 1/(1 − RATE); the identity in evaluation.',
  options: [],
  traits: { hasWeights: false, recurrent: false, perChannelUnits: false, activationOnly: false, affine: false },
  read(ctx) {
    ctx.extraArgs(1, 'dropout RATE');
    const rate = ctx.number(0, 'dropout rate', { min: 0, max: 1, maxExclusive: true }, '`dropout` needs a rate, e.g. `dropout 0.2`.');
    return rate === undefined ? undefined : { rate };
  },
  shape: (input) => ({ output: [...input], params: [] }),
  leaf: (p) => ({ rate: p.rate }),
  label: (leaf) => `dropout ${leaf.rate}`,
  build: (layer, x, ctx) => new DropoutOp(layer.index, x, layer.rate, ctx.dropoutRng, ctx.dtype, ctx.capacity),
  valuesPerExample: (layer) => 3 * layer.outputWidth, // output, its gradient, the mask
  pytorch: { module: (leaf, py) => `nn.Dropout(${py(leaf.rate)})` },
  gradcheck: [{ input: 'input 3', lines: ['dense 6 tanh', 'dropout 0.5'] }],
});
