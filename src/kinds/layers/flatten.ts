// flatten: an image or a sequence becomes a vector of the same values, row-major (as
// torch.flatten(x, 1)). Its op (engine/ops/flatten.ts) shares its input's buffers.

import { defineLayer, product } from '../layer';
import { FlattenOp } from '../../engine/ops/flatten';

export const flatten = defineLayer<Record<never, never>, Record<never, never>, 'flatten'>({
  name: 'flatten',
  syntax: 'flatten',
  params: 'none',
  doc: 'Flatten an image [C, H, W] or a sequence [T, F] into a vector of C·H·W or T·F values in row-major order (as torch.flatten(x, 1)); the layer before dense after convolutions or sequences.',
  options: [],
  traits: { hasWeights: false, recurrent: false, perChannelUnits: false, activationOnly: false, affine: false },
  read(ctx) {
    ctx.extraArgs(0, 'flatten');
    return {};
  },
  shape: (input) => ({ output: [product(input)], params: [] }),
  leaf: () => ({}),
  label: () => 'flatten',
  build: (layer, x) => new FlattenOp(layer.index, x),
  valuesPerExample: (layer) => 4 * layer.outputWidth,
  pytorch: { module: () => 'nn.Flatten()  # row-major, as the engine' },
  gradcheck: [{ input: 'input 2 3', lines: ['flatten', 'tanh'] }],
});
