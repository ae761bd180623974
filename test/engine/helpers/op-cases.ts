// Single ops (conv, pooling, flatten, recurrent) built on their own, outside a network:
// the cases the finite-difference and the PyTorch tests share. A case names its input
// shape per example, its parameters in PyTorch's layout, and how to build the op; `runOp`
// fills everything with seeded values, runs forward, sets ∂L/∂y to fixed coefficients
// (L = Σ c·y) and runs backward.

import type { ParamName } from '../../../src/lang/spec';
import { allocate, type DType, type Floats } from '../../../src/engine/floats';
import { Conv1dOp } from '../../../src/engine/ops/conv1d';
import { Conv2dOp } from '../../../src/engine/ops/conv2d';
import { FlattenOp } from '../../../src/engine/ops/flatten';
import { GruOp } from '../../../src/engine/ops/gru';
import { LstmOp } from '../../../src/engine/ops/lstm';
import { AvgPool2dOp, MaxPool2dOp } from '../../../src/engine/ops/pool2d';
import { RnnOp } from '../../../src/engine/ops/rnn';
import type { RecurrentGeometry } from '../../../src/engine/ops/recurrent';
import { makeTensor, type Op, type Param, type Tensor } from '../../../src/engine/tape';
import { testRandom } from './specs';

export interface OpCase {
  /** What the test names: kind and the options that matter. */
  readonly title: string;
  /** The PyTorch module the torch test builds (see test/oracle/torch_ops.py). */
  readonly torch: Record<string, unknown>;
  readonly inputShape: readonly number[];
  readonly params: readonly { readonly name: string; readonly shape: readonly number[] }[];
  build(input: Tensor, params: Param[], dtype: DType, capacity: number): Op;
  /** Input values far from pooling ties (distinct values) when the op has kinks there. */
  readonly distinctInput?: boolean;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function conv2d(c: number, h: number, w: number, out: number, k: number, stride: number, padding: number, activation: 'linear' | 'relu' | 'tanh' = 'linear', bias = true): OpCase {
  return {
    title: `conv2d ${c}×${h}×${w} → ${out} k${k} s${stride} p${padding} ${activation}${bias ? '' : ' no bias'}`,
    torch: { kind: 'conv2d', in: c, out, kernel: k, stride, padding, activation, bias },
    inputShape: [c, h, w],
    params: bias ? [{ name: 'W', shape: [out, c, k, k] }, { name: 'b', shape: [out] }] : [{ name: 'W', shape: [out, c, k, k] }],
    build: (x, [W, b], dtype, cap) =>
      new Conv2dOp(0, x, { channels: c, height: h, width: w, filters: out, kernel: k, stride, padding }, W, b ?? null, activation, 0.01, dtype, cap),
  };
}

function conv1d(t: number, f: number, out: number, k: number, stride: number, padding: number, activation: 'linear' | 'relu' | 'tanh' = 'linear'): OpCase {
  return {
    title: `conv1d ${t}×${f} → ${out} k${k} s${stride} p${padding} ${activation}`,
    torch: { kind: 'conv1d', in: f, out, kernel: k, stride, padding, activation, bias: true },
    inputShape: [t, f],
    params: [{ name: 'W', shape: [out, f, k] }, { name: 'b', shape: [out] }],
    build: (x, [W, b], dtype, cap) =>
      new Conv1dOp(0, x, { steps: t, features: f, filters: out, kernel: k, stride, padding }, W, b, activation, 0.01, dtype, cap),
  };
}

function pool(kind: 'maxpool2d' | 'avgpool2d', c: number, h: number, w: number, k: number): OpCase {
  return {
    title: `${kind} ${c}×${h}×${w} k${k}`,
    torch: { kind, kernel: k },
    inputShape: [c, h, w],
    params: [],
    distinctInput: kind === 'maxpool2d',
    build: (x, _p, dtype, cap) => {
      const geometry = { channels: c, height: h, width: w, kernel: k };
      return kind === 'maxpool2d' ? new MaxPool2dOp(0, x, geometry, dtype, cap) : new AvgPool2dOp(0, x, geometry, dtype, cap);
    },
  };
}

function recurrent(kind: 'rnn' | 'lstm' | 'gru', t: number, f: number, h: number, sequences: boolean): OpCase {
  const g = kind === 'rnn' ? 1 : kind === 'lstm' ? 4 : 3;
  return {
    title: `${kind} T=${t} F=${f} H=${h} sequences=${sequences}`,
    torch: { kind, in: f, hidden: h, sequences },
    inputShape: [t, f],
    params: [
      { name: 'W_ih', shape: [g * h, f] }, { name: 'W_hh', shape: [g * h, h] },
      { name: 'b_ih', shape: [g * h] }, { name: 'b_hh', shape: [g * h] },
    ],
    build: (x, [wIh, wHh, bIh, bHh], dtype, cap) => {
      const geometry: RecurrentGeometry = { steps: t, features: f, hidden: h, sequences };
      const params = { wIh, wHh, bIh, bHh };
      return kind === 'rnn' ? new RnnOp(0, x, geometry, params, dtype, cap)
        : kind === 'lstm' ? new LstmOp(0, x, geometry, params, dtype, cap)
          : new GruOp(0, x, geometry, params, dtype, cap);
    },
  };
}

export const OP_CASES: readonly OpCase[] = [
  conv2d(2, 5, 6, 3, 3, 1, 0),
  conv2d(2, 5, 5, 3, 3, 1, 1, 'relu'),
  conv2d(3, 7, 6, 4, 3, 2, 1, 'tanh'),
  conv2d(1, 6, 6, 5, 2, 2, 0, 'linear', false),
  conv2d(2, 4, 4, 4, 4, 1, 2),
  conv1d(7, 3, 4, 3, 1, 0),
  conv1d(8, 2, 3, 3, 2, 1, 'tanh'),
  conv1d(5, 4, 2, 1, 1, 0, 'relu'),
  pool('maxpool2d', 2, 4, 6, 2),
  pool('maxpool2d', 3, 7, 5, 3),
  pool('avgpool2d', 2, 4, 6, 2),
  pool('avgpool2d', 2, 5, 7, 2),
  {
    title: 'flatten 2×3×2', torch: { kind: 'flatten' }, inputShape: [2, 3, 2], params: [],
    build: (x) => new FlattenOp(0, x),
  },
  recurrent('rnn', 5, 3, 4, false),
  recurrent('rnn', 4, 2, 3, true),
  recurrent('lstm', 5, 3, 4, false),
  recurrent('lstm', 4, 2, 3, true),
  recurrent('gru', 5, 3, 4, false),
  recurrent('gru', 4, 2, 3, true),
];

export interface OpRun {
  op: Op;
  input: Tensor;
  params: Param[];
  /** ∂L/∂y = the loss coefficients, [rows, output width]. */
  coefficients: Floats;
  rows: number;
}

/**
 * Builds `c` with room for `capacity` rows, fills input and parameters from `seed`, and runs
 * forward + backward on `rows` rows. With capacity > rows, a full batch of other values runs
 * first, so stale rows would show if the op read them.
 */
export function runOp(c: OpCase, dtype: DType, rows: number, seed: number, capacity = rows): OpRun {
  const random = testRandom(seed);
  const width = size(c.inputShape);
  const input = makeTensor(width, allocate(dtype, capacity * width), allocate(dtype, capacity * width));
  const params = c.params.map(({ name, shape }): Param => {
    const count = size(shape);
    const value = allocate(dtype, count);
    for (let i = 0; i < count; i++) value[i] = random() * 1.2 - 0.6;
    return { name: name as ParamName, shape: shape.slice(), count, value, grad: allocate(dtype, count), layer: 0 };
  });
  const op = c.build(input, params, dtype, capacity);
  const outWidth = op.output.width;
  if (capacity > rows) {
    for (let i = 0; i < capacity * width; i++) input.value[i] = random() * 4 - 2;
    op.forward(capacity, true);
    for (let i = 0; i < capacity * outWidth; i++) op.output.grad[i] = random() * 2 - 1;
    op.backward(capacity);
  }
  for (let i = 0; i < rows * width; i++) input.value[i] = c.distinctInput ? ((i * 7919) % (rows * width)) / (rows * width) - 0.5 + random() * 1e-3 : random() * 2 - 1;
  const coefficients = allocate(dtype, rows * outWidth);
  for (let i = 0; i < rows * outWidth; i++) coefficients[i] = random() * 2 - 1;
  forwardBackward(op, rows, coefficients);
  return { op, input, params, coefficients, rows };
}

/** Forward, ∂L/∂y := coefficients, backward; returns L = Σ c·y. */
export function forwardBackward(op: Op, rows: number, coefficients: Floats): number {
  const loss = lossOf(op, rows, coefficients);
  for (let i = 0; i < coefficients.length; i++) op.output.grad[i] = coefficients[i];
  op.backward(rows);
  return loss;
}

export function lossOf(op: Op, rows: number, coefficients: Floats): number {
  op.forward(rows, true);
  let loss = 0;
  for (let i = 0; i < rows * op.output.width; i++) loss += coefficients[i] * op.output.value[i];
  return loss;
}
