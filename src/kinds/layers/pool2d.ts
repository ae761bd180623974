// maxpool2d K and avgpool2d K on images [C, H, W], as PyTorch's MaxPool2d(K) / AvgPool2d(K):
// window = stride = K, no padding; output [C, ⌊H/K⌋, ⌊W/K⌋]. Forward and backward:
// engine/ops/pool2d.ts.

import { defineLayer, describeShape, shapeText, type LayerKindDef } from '../layer';
import { AvgPool2dOp, MaxPool2dOp } from '../../engine/ops/pool2d';

/** Input [channels, height, width]; window = stride = kernel. */
export interface Pool2dFields {
  channels: number;
  height: number;
  width: number;
  kernel: number;
}

function pool<K extends 'maxpool2d' | 'avgpool2d'>(kind: K, what: string): LayerKindDef<{ kernel: number }, Pool2dFields, K> {
  const module = kind === 'maxpool2d' ? 'MaxPool2d' : 'AvgPool2d';
  return defineLayer<{ kernel: number }, Pool2dFields, K>({
    name: kind,
    syntax: `${kind} K`,
    params: 'none',
    doc: `${what} over K×K windows of each channel of an image [C, H, W] (window = stride = K, no padding, as PyTorch's ${module}(K)): the output is [C, ⌊H/K⌋, ⌊W/K⌋]; rows and columns past the last whole window are dropped.`,
    options: [],
    traits: { hasWeights: false, recurrent: false, perChannelUnits: true, activationOnly: false, affine: false },
    read(ctx) {
      ctx.extraArgs(1, `${kind} K`);
      const kernel = ctx.integer(0, 'window', 1, `${kind} 2`);
      return kernel === undefined ? undefined : { kernel };
    },
    shape(input, p) {
      if (input.length !== 3) return { error: `\`${kind}\` takes an image [C, H, W]; its input is ${describeShape(input)}.` };
      const [c, h, w] = input;
      if (h < p.kernel || w < p.kernel) return { error: `A ${p.kernel}×${p.kernel} window does not fit the image ${shapeText(input)}.` };
      return { output: [c, Math.floor(h / p.kernel), Math.floor(w / p.kernel)], params: [] };
    },
    leaf: (p, [channels, height, width]) => ({ channels, height, width, kernel: p.kernel }),
    label: (leaf) => `${kind} ${leaf.kernel}`,
    build(layer, x, ctx) {
      const geometry = { channels: layer.channels, height: layer.height, width: layer.width, kernel: layer.kernel };
      return kind === 'maxpool2d' ? new MaxPool2dOp(layer.index, x, geometry, ctx.dtype, ctx.capacity) : new AvgPool2dOp(layer.index, x, geometry, ctx.dtype, ctx.capacity);
    },
    valuesPerExample: (layer) => 4 * layer.outputWidth, // output and its gradient, the input's share
    pytorch: { module: (leaf) => `nn.${module}(${leaf.kernel})` },
    gradcheck: [{ input: 'input 2 5 4', lines: [`${kind} 2`, 'flatten'] }],
  });
}

export const maxpool2d = pool('maxpool2d', 'The largest value');
export const avgpool2d = pool('avgpool2d', 'The mean');
