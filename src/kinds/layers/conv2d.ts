// conv2d OUT kernel=K on images [C, H, W], as PyTorch's Conv2d: W [OUT, C, K, K], b [OUT],
// output [OUT, H′, W′] with H′ = ⌊(H + 2·padding − K)/stride⌋ + 1. Forward and backward:
// engine/ops/conv2d.ts.

import { defineLayer, describeShape, shapeText } from '../layer';
import { Conv2dOp } from '../../engine/ops/conv2d';
import { weightInit, WEIGHT_INIT_DEFAULT_TEXT } from '../init';
import { convLabel, convModule, convOutputSize, elementwise, readConv, type ConvFields, type ConvSettings } from './conv';
import { BIAS_OPTION, INIT_OPTION, KERNEL_OPTION, PADDING_OPTION, STRIDE_OPTION } from './options';
import { ALPHA_OPTION } from './options-alpha';

/** Input [channels, height, width]; output [filters, ⌊(height + 2·padding − kernel)/stride⌋ + 1, … the same for width]. */
export interface Conv2dFields extends ConvFields {
  channels: number;
  height: number;
  width: number;
}

export const conv2d = defineLayer<ConvSettings, Conv2dFields, 'conv2d'>({
  name: 'conv2d',
  syntax: 'conv2d OUT kernel=K [stride=1] [padding=0] [ACT] [init=] [bias=true|false]',
  params: 'W [OUT, C, K, K], b [OUT]',
  doc: 'Two-dimensional convolution on images [C, H, W], as PyTorch\'s Conv2d: OUT filters of C×K×K slide over the image with the given stride after zero padding; the output is an image [OUT, H′, W′] with H′ = ⌊(H + 2·padding − K)/stride⌋ + 1. An activation written after OUT is fused, as for dense; the default init is He before a ReLU-family activation, Xavier otherwise (fan-in C·K·K).',
  options: [KERNEL_OPTION, STRIDE_OPTION, PADDING_OPTION, INIT_OPTION, BIAS_OPTION, ALPHA_OPTION],
  traits: { hasWeights: true, recurrent: false, perChannelUnits: true, activationOnly: false, affine: true },
  read: (ctx) => readConv(ctx, 'conv2d'),
  shape(input, p) {
    if (input.length !== 3) return { error: `\`conv2d\` takes an image [C, H, W]; its input is ${describeShape(input)}.` };
    const [c, h, w] = input;
    const outH = convOutputSize(h, p.kernel, p.stride, p.padding), outW = convOutputSize(w, p.kernel, p.stride, p.padding);
    if (outH < 1 || outW < 1) return { error: `A ${p.kernel}×${p.kernel} window does not fit the image ${shapeText(input)} with padding ${p.padding}.` };
    return {
      output: [p.filters, outH, outW],
      params: [{ name: 'W', shape: [p.filters, c, p.kernel, p.kernel] }, ...(p.bias ? [{ name: 'b' as const, shape: [p.filters] }] : [])],
    };
  },
  leaf: (p, [channels, height, width]) => ({
    channels, height, width, filters: p.filters, kernel: p.kernel, stride: p.stride, padding: p.padding,
    activation: p.activation, alpha: p.alpha, bias: p.bias,
  }),
  init: (p, next) => weightInit(p.init, p.activation, next),
  defaultInitText: WEIGHT_INIT_DEFAULT_TEXT,
  label: convLabel,
  // W [OUT, C, K, K]: fan-in C·K·K, fan-out OUT·K·K.
  weightFans: (layer) => ({ fanIn: layer.channels * layer.kernel * layer.kernel, fanOut: layer.filters * layer.kernel * layer.kernel }),
  build(layer, x, ctx) {
    const { channels, height, width, filters, kernel, stride, padding } = layer;
    const w = ctx.param('W'), { fanIn, fanOut } = conv2d.weightFans!(layer);
    ctx.init(w, fanIn, fanOut, layer.init);
    const b = layer.bias ? ctx.param('b') : null;
    return new Conv2dOp(layer.index, x, { channels, height, width, filters, kernel, stride, padding }, w, b, elementwise(layer.activation), layer.alpha, ctx.dtype, ctx.capacity);
  },
  fusedActivation: (p) => p.activation,
  // Output, pre-activation and their gradients, plus the unfolded windows (im2col) and their gradient.
  valuesPerExample: (layer) => 5 * layer.outputWidth + 2 * (layer.outputWidth / layer.filters) * layer.channels * layer.kernel * layer.kernel,
  pytorch: {
    module: (leaf, py) => convModule('Conv2d', leaf.channels, leaf, py),
    // W [OUT, C, K, K]: torch.nn.init's fans (C·K·K in, OUT·K·K out) are the engine's.
    weights: (leaf) => ({ attributes: ['weight'], init: leaf.init, zeroBias: leaf.bias }),
    helpers: () => ['activate', 'conv'],
  },
  gradcheck: [
    { input: 'input 2 5 5', lines: ['conv2d 3 kernel=3 padding=1 tanh', 'flatten'] },
    { input: 'input 2 6 5', lines: ['conv2d 2 kernel=2 stride=2 bias=false', 'flatten'] },
  ],
});
