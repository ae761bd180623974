// conv1d OUT kernel=K on sequences [T, F], as PyTorch's Conv1d on the transposed [F, T]: the
// F features are the input channels; W [OUT, F, K], b [OUT], output [T′, OUT].
// Forward and backward: engine/ops/conv1d.ts.

import { defineLayer, describeShape, shapeText } from '../layer';
import { Conv1dOp } from '../../engine/ops/conv1d';
import { weightInit, WEIGHT_INIT_DEFAULT_TEXT } from '../init';
import { convLabel, convModule, convOutputSize, elementwise, readConv, type ConvFields, type ConvSettings } from './conv';
import { BIAS_OPTION, INIT_OPTION, KERNEL_OPTION, PADDING_OPTION, STRIDE_OPTION } from './options';
import { ALPHA_OPTION } from './options-alpha';

/** Input [steps, features] (PyTorch's Conv1d on [features, steps]); output [T′, filters]. */
export interface Conv1dFields extends ConvFields {
  steps: number;
  features: number;
}

export const conv1d = defineLayer<ConvSettings, Conv1dFields, 'conv1d'>({
  name: 'conv1d',
  syntax: 'conv1d OUT kernel=K [stride=1] [padding=0] [ACT] [init=] [bias=true|false]',
  params: 'W [OUT, F, K], b [OUT]',
  doc: 'One-dimensional convolution over the steps of a sequence [T, F], as PyTorch\'s Conv1d on [F, T]: the F features are the input channels, OUT filters of F×K slide over T; the output is a sequence [T′, OUT] with T′ = ⌊(T + 2·padding − K)/stride⌋ + 1. An activation written after OUT is fused, as for dense; the default init is He before a ReLU-family activation, Xavier otherwise (fan-in F·K).',
  options: [KERNEL_OPTION, STRIDE_OPTION, PADDING_OPTION, INIT_OPTION, BIAS_OPTION, ALPHA_OPTION],
  traits: { hasWeights: true, recurrent: false, perChannelUnits: true, activationOnly: false, affine: true },
  read: (ctx) => readConv(ctx, 'conv1d'),
  shape(input, p) {
    if (input.length !== 2) return { error: `\`conv1d\` takes a sequence [T, F]; its input is ${describeShape(input)}.` };
    const [t, f] = input;
    const outT = convOutputSize(t, p.kernel, p.stride, p.padding);
    if (outT < 1) return { error: `A window of ${p.kernel} steps does not fit the sequence ${shapeText(input)} with padding ${p.padding}.` };
    return {
      output: [outT, p.filters],
      params: [{ name: 'W', shape: [p.filters, f, p.kernel] }, ...(p.bias ? [{ name: 'b' as const, shape: [p.filters] }] : [])],
    };
  },
  leaf: (p, [steps, features]) => ({
    steps, features, filters: p.filters, kernel: p.kernel, stride: p.stride, padding: p.padding,
    activation: p.activation, alpha: p.alpha, bias: p.bias,
  }),
  init: (p, next) => weightInit(p.init, p.activation, next),
  defaultInitText: WEIGHT_INIT_DEFAULT_TEXT,
  label: convLabel,
  // W [OUT, F, K]: fan-in F·K, fan-out OUT·K.
  weightFans: (layer) => ({ fanIn: layer.features * layer.kernel, fanOut: layer.filters * layer.kernel }),
  build(layer, x, ctx) {
    const { steps, features, filters, kernel, stride, padding } = layer;
    const w = ctx.param('W'), { fanIn, fanOut } = conv1d.weightFans!(layer);
    ctx.init(w, fanIn, fanOut, layer.init);
    const b = layer.bias ? ctx.param('b') : null;
    return new Conv1dOp(layer.index, x, { steps, features, filters, kernel, stride, padding }, w, b, elementwise(layer.activation), layer.alpha, ctx.dtype, ctx.capacity);
  },
  fusedActivation: (p) => p.activation,
  // Output, pre-activation and their gradients, plus the unfolded windows and their gradient.
  valuesPerExample: (layer) => 4 * layer.outputWidth + 2 * (layer.outputWidth / layer.filters) * layer.features * layer.kernel,
  pytorch: {
    module: (leaf, py) => convModule('Conv1d', leaf.features, leaf, py),
    // W [OUT, F, K]: fans F·K in, OUT·K out, as the engine's.
    weights: (leaf) => ({ attributes: ['weight'], init: leaf.init, zeroBias: leaf.bias }),
    helpers: () => ['activate', 'conv'],
  },
  gradcheck: [
    { input: 'input 6 3', lines: ['conv1d 4 kernel=3 stride=2 padding=1 tanh', 'flatten'] },
    { input: 'input 5 2', lines: ['conv1d 3 kernel=2 relu', 'flatten'] },
  ],
});
