// dense UNITS [ACT]: y = f(x·W + b), W [in, UNITS] row-major (PyTorch's Linear weight
// transposed), b [UNITS]. An activation written after UNITS is fused into the op; `softmax`
// there is a softmax layer of its own on the same line. Forward and backward:
// engine/ops/dense.ts (the activation's kernels are its kind's, src/kinds/activations/).

import type { ActivationKind, InitSpec } from '../../lang/spec';
import { DenseOp } from '../../engine/ops/dense';
import { ACTIVATION_LIST, activationDef, defaultAlpha, type ElementwiseKind } from '../activations';
import { weightInit, WEIGHT_INIT_DEFAULT_TEXT } from '../init';
import { defineLayer, product, vectorOnly, type ShapeResult } from '../layer';
import { BIAS_OPTION, INIT_OPTION } from './options';
import { ALPHA_OPTION } from './options-alpha';

interface DenseSettings {
  units: number;
  /** As written: `softmax` becomes a softmax layer after a linear dense. */
  activation: ActivationKind;
  alpha: number;
  init?: InitSpec;
  bias: boolean;
}

export interface DenseFields {
  units: number;
  /** Fused activation; `linear` when none was written. Never `softmax` (a separate layer). */
  activation: ActivationKind;
  /** For the kinds with an `alpha=` (leaky_relu, elu); 0 for the others. */
  alpha: number;
  /** Of W, fan-in `in`, fan-out UNITS. */
  init: InitSpec;
  bias: boolean;
}

const fused = (activation: ActivationKind): ElementwiseKind => (activation === 'softmax' ? 'linear' : activation);
const ALPHA_KINDS = ACTIVATION_LIST.filter((a) => a.alpha !== undefined).map((a) => a.name);

export const dense = defineLayer<DenseSettings, DenseFields, 'dense'>({
  name: 'dense',
  syntax: 'dense UNITS [ACT] [init=] [bias=true|false]',
  params: 'W [in, UNITS], b [UNITS]',
  doc: 'Fully connected layer, y = x·W + b with W of shape [in, UNITS] (row-major, PyTorch\'s convention transposed). UNITS is the output width, a whole number ≥ 1. An activation written after UNITS (`dense 64 relu`) is fused into the layer for display; it is the same as an activation layer on the next line.',
  options: [INIT_OPTION, BIAS_OPTION, ALPHA_OPTION],
  traits: { hasWeights: true, recurrent: false, perChannelUnits: false, activationOnly: false, affine: true },
  read(ctx) {
    const { stmt, values, r } = ctx;
    ctx.extraArgs(2, 'dense UNITS [ACTIVATION]');
    if (!stmt.args[0]) {
      r.error('missing-argument', '`dense` needs the number of units, e.g. `dense 64`.', stmt.keyword.range,
        { fixes: [{ title: 'Add 32 units', edits: [{ range: { start: stmt.keyword.range.end, end: stmt.keyword.range.end }, newText: ' 32' }] }] });
      return undefined;
    }
    const units = ctx.integer(0, 'units', 1, 'dense 64');
    const act = ctx.activation(1, 'the units');
    if (units === undefined || act === null) return undefined;
    const activation = act?.name ?? 'linear';
    const alphaNode = stmt.options.find((o) => o.key.text === 'alpha');
    if (alphaNode && activationDef(activation).alpha === undefined) {
      r.warning('ignored-option', `\`alpha\` only applies to ${ALPHA_KINDS.join(' and ')}; the ${activation} activation ignores it.`, alphaNode.key.range);
    }
    return {
      units, activation,
      alpha: (values.get('alpha') as number | undefined) ?? defaultAlpha(activation),
      init: values.get('init') as InitSpec | undefined,
      bias: (values.get('bias') as boolean | undefined) ?? true,
    };
  },
  shape(input, p) {
    const rule: ShapeResult = {
      output: [p.units],
      params: [{ name: 'W', shape: [product(input), p.units] }, ...(p.bias ? [{ name: 'b' as const, shape: [p.units] }] : [])],
    };
    const wrong = vectorOnly('dense', input);
    return wrong ? { ...wrong, recovered: rule } : rule;
  },
  shapeWithoutInput: true,
  sizeArgument: 0,
  leaf: (p) => ({ units: p.units, activation: fused(p.activation), alpha: p.alpha, bias: p.bias }),
  init: (p, next) => weightInit(p.init, fused(p.activation), next),
  defaultInitText: WEIGHT_INIT_DEFAULT_TEXT,
  following: (p) => (p.activation === 'softmax' ? { kind: 'activation', settings: { activation: 'softmax', alpha: 0 } } : undefined),
  fusedActivation: (p) => p.activation,
  label: (leaf) => (leaf.activation === 'linear' ? 'dense' : `dense ${leaf.activation}`),
  weightFans: (layer) => ({ fanIn: layer.inputWidth, fanOut: layer.units }),
  build(layer, x, ctx) {
    const w = ctx.param('W'), { fanIn, fanOut } = dense.weightFans!(layer);
    ctx.init(w, fanIn, fanOut, layer.init);
    const b = layer.bias ? ctx.param('b') : null;
    return new DenseOp(layer.index, x, w, b, fused(layer.activation), layer.alpha, ctx.dtype, ctx.capacity);
  },
  valuesPerExample: (layer) => 4 * layer.outputWidth, // output and its gradient, pre-activation and its gradient
  pytorch: {
    module: (leaf, py) => leaf.activation === 'linear'
      ? `nn.Linear(${leaf.inputWidth}, ${leaf.units}${leaf.bias ? '' : ', bias=False'})`
      : `Dense(${leaf.inputWidth}, ${leaf.units}, ${py(leaf.activation)}${activationDef(leaf.activation).alpha !== undefined ? `, alpha=${py(leaf.alpha)}` : ''}${leaf.bias ? '' : ', bias=False'})`,
    weights: (leaf) => ({ attributes: ['weight'], init: leaf.init, zeroBias: leaf.bias }),
    helpers: (leaf) => (leaf.activation === 'linear' ? [] : ['activate']),
  },
  // Every element-wise activation fused (with the options its kind asks to check), without
  // a bias, and after a flatten.
  gradcheck: [
    ...ACTIVATION_LIST.filter((a) => a.elementwise).flatMap((a) => a.gradcheck.map((options) => ({ input: 'input 3', lines: [`dense 4 ${a.name}${options ? ` ${options}` : ''}`] }))),
    { input: 'input 3', lines: ['dense 4 tanh bias=false'] },
    { input: 'input 2 3', lines: ['flatten', 'dense 3 sigmoid'] },
  ],
});
