// flatten: an image or a sequence becomes a vector of the same values, row-major (as
// torch.flatten(x, 1)). Op: engine/ops/flatten.ts (shares its input's buffers).

import { defineLayer, product } from '../layer';

export const flatten = defineLayer({
  name: 'flatten',
  syntax: 'flatten',
  params: 'none',
  doc: 'Flatten an image [C, H, W] or a sequence [T, F] into a vector of C·H·W or T·F values in row-major order (as torch.flatten(x, 1)); the layer before dense after convolutions or sequences.',
  options: [],
  traits: { hasWeights: false, recurrent: false, perChannelUnits: false },
  op: 'FlattenOp',
  read(ctx) {
    ctx.extraArgs(0, 'flatten');
    return {};
  },
  shape: (input) => ({ output: [product(input)], params: [] }),
  leaf: () => ({ kind: 'flatten' }),
  gradcheck: [{ input: 'input 2 3', lines: ['flatten', 'tanh'] }],
});
