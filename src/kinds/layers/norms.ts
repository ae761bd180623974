// layernorm and batchnorm on vectors: normalise (over an example's features, or over the
// batch per feature), then scale by gamma (starts at 1) and shift by beta (starts at 0).
// Forward and backward: engine/ops/layernorm.ts, batchnorm.ts.

import type { OptionDoc } from '../../lang/vocabulary';
import { BatchNormOp } from '../../engine/ops/batchnorm';
import { LayerNormOp } from '../../engine/ops/layernorm';
import { defineLayer, product, vectorOnly } from '../layer';

const EPS_OPTION: OptionDoc = { name: 'eps', type: 'number', default: 1e-5, range: { min: 0, minExclusive: true },
  doc: 'Added to the variance inside the square root, so a constant feature does not divide by zero.' };
const MOMENTUM_OPTION: OptionDoc = { name: 'momentum', type: 'number', default: 0.9, range: { min: 0, max: 1 },
  doc: 'Running statistics update as running = momentum·running + (1 − momentum)·batch; they are used in evaluation.' };

const scaleAndShift = (width: number) => [{ name: 'gamma' as const, shape: [width] }, { name: 'beta' as const, shape: [width] }];

export const layernorm = defineLayer<{ eps: number }, { eps: number }, 'layernorm'>({
  name: 'layernorm',
  syntax: 'layernorm [eps=1e-5]',
  params: 'gamma [width], beta [width]',
  doc: 'Layer normalisation: normalise each example over its features (biased variance, eps inside the square root), then scale by gamma (starts at 1) and shift by beta (starts at 0). Keeps activations in a healthy range at any batch size.',
  options: [EPS_OPTION],
  traits: { hasWeights: true, recurrent: false, perChannelUnits: false, activationOnly: false, affine: false },
  read(ctx) {
    ctx.extraArgs(0, 'layernorm');
    return { eps: (ctx.values.get('eps') as number | undefined) ?? 1e-5 };
  },
  shape: (input) => vectorOnly('layernorm', input) ?? { output: [...input], params: scaleAndShift(product(input)) },
  leaf: (p) => ({ eps: p.eps }),
  label: () => 'layernorm',
  build(layer, x, ctx) {
    const gamma = ctx.param('gamma');
    gamma.value.fill(1);
    return new LayerNormOp(layer.index, x, gamma, ctx.param('beta'), layer.eps, ctx.dtype, ctx.capacity);
  },
  valuesPerExample: (layer) => 3 * layer.outputWidth, // output, its gradient, the normalised values
  pytorch: { module: (leaf, py) => `nn.LayerNorm(${leaf.outputWidth}, eps=${py(leaf.eps)})` },
  gradcheck: [{ input: 'input 3', lines: ['dense 5', 'layernorm'] }, { input: 'input 3', lines: ['dense 5', 'layernorm eps=0.5'] }],
});

export const batchnorm = defineLayer<{ eps: number; momentum: number }, { momentum: number; eps: number }, 'batchnorm'>({
  name: 'batchnorm',
  syntax: 'batchnorm [momentum=0.9] [eps=1e-5]',
  params: 'gamma [width], beta [width] (+ running mean and variance)',
  doc: 'Batch normalisation: in training, normalise each feature over the batch (batch mean, biased variance), then scale by gamma and shift by beta. Running statistics (unbiased variance) are used in evaluation.',
  options: [MOMENTUM_OPTION, EPS_OPTION],
  traits: { hasWeights: true, recurrent: false, perChannelUnits: false, activationOnly: false, affine: false },
  read(ctx) {
    ctx.extraArgs(0, 'batchnorm');
    return { eps: (ctx.values.get('eps') as number | undefined) ?? 1e-5, momentum: (ctx.values.get('momentum') as number | undefined) ?? 0.9 };
  },
  shape: (input) => vectorOnly('batchnorm', input) ?? { output: [...input], params: scaleAndShift(product(input)) },
  leaf: (p) => ({ momentum: p.momentum, eps: p.eps }),
  label: () => 'batchnorm',
  build(layer, x, ctx) {
    const gamma = ctx.param('gamma');
    gamma.value.fill(1);
    return new BatchNormOp(layer.index, x, gamma, ctx.param('beta'), layer.momentum, layer.eps, ctx.dtype, ctx.capacity);
  },
  valuesPerExample: (layer) => 3 * layer.outputWidth, // output, its gradient, the normalised values
  pytorch: {
    // .net's momentum keeps that much of the running statistics; torch's takes that much of the batch.
    module: (leaf, py) => `nn.BatchNorm1d(${leaf.outputWidth}, eps=${py(leaf.eps)}, momentum=${py(1 - leaf.momentum)})`,
  },
  gradcheck: [{ input: 'input 3', lines: ['dense 4 tanh', 'batchnorm'] }],
});
