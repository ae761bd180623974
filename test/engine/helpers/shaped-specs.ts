// Checked NetworkSpecs on images and sequences built by hand for engine tests (no parser in
// between): each sketch layer is resolved against the shape flowing into it, exactly as
// the checker resolves it (output sizes by PyTorch's floor rule, PyTorch parameter shapes,
// the default inits).

import type { ActivationKind, InitSpec, LeafLayer, LossSpec, NetworkSpec, OptimizerSpec, ParamSpec, Task } from '../../../src/lang/spec';
import { recurrentDefault } from '../../../src/engine/init';
import { sgd } from './specs';

const RANGE = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };

export type ShapedSketch =
  | { kind: 'conv2d' | 'conv1d'; filters: number; kernel: number; stride?: number; padding?: number; activation?: ActivationKind; bias?: boolean; init?: InitSpec }
  | { kind: 'maxpool2d' | 'avgpool2d'; kernel: number }
  | { kind: 'flatten' }
  | { kind: 'rnn' | 'lstm' | 'gru'; hidden: number; sequences?: boolean; init?: InitSpec; bias?: boolean }
  | { kind: 'dense'; units: number; activation?: ActivationKind };

export interface ShapedNetSketch {
  /** The example's shape: [F], [C, H, W] or [T, F]. */
  input: number[];
  layers: ShapedSketch[];
  loss: LossSpec;
  optimizer?: OptimizerSpec;
  task?: Task;
  classes?: number;
  trainSize?: number;
  batch?: number;
  seed?: number;
  steps?: number;
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const param = (name: ParamSpec['name'], shape: number[]): ParamSpec => ({ name, shape, count: product(shape) });
const reluFamily = (a: ActivationKind) => a === 'relu' || a === 'leaky_relu' || a === 'elu' || a === 'gelu';
const outSize = (n: number, k: number, s: number, p: number) => Math.floor((n + 2 * p - k) / s) + 1;

export function shapedNetwork(sketch: ShapedNetSketch): NetworkSpec {
  const leaves: LeafLayer[] = [];
  const counters = new Map<string, number>();
  let shape = sketch.input.slice();
  sketch.layers.forEach((s, index) => {
    const count = (counters.get(s.kind) ?? 0) + 1;
    counters.set(s.kind, count);
    const base = { index, name: `${s.kind}${count}`, line: index + 3, range: RANGE, inputWidth: product(shape) };
    let leaf: LeafLayer;
    switch (s.kind) {
      case 'conv2d': {
        const [channels, height, width] = shape as [number, number, number];
        const { filters, kernel } = s, stride = s.stride ?? 1, padding = s.padding ?? 0, activation = s.activation ?? 'linear', bias = s.bias ?? true;
        const params = [param('W', [filters, channels, kernel, kernel]), ...(bias ? [param('b', [filters])] : [])];
        shape = [filters, outSize(height, kernel, stride, padding), outSize(width, kernel, stride, padding)];
        leaf = {
          ...base, kind: 'conv2d', outputWidth: product(shape), params, channels, height, width, filters, kernel, stride, padding,
          activation, alpha: activation === 'elu' ? 1 : 0.01, init: s.init ?? { kind: reluFamily(activation) ? 'he' : 'xavier' }, bias,
        };
        break;
      }
      case 'conv1d': {
        const [steps, features] = shape as [number, number];
        const { filters, kernel } = s, stride = s.stride ?? 1, padding = s.padding ?? 0, activation = s.activation ?? 'linear', bias = s.bias ?? true;
        const params = [param('W', [filters, features, kernel]), ...(bias ? [param('b', [filters])] : [])];
        shape = [outSize(steps, kernel, stride, padding), filters];
        leaf = {
          ...base, kind: 'conv1d', outputWidth: product(shape), params, steps, features, filters, kernel, stride, padding,
          activation, alpha: activation === 'elu' ? 1 : 0.01, init: s.init ?? { kind: reluFamily(activation) ? 'he' : 'xavier' }, bias,
        };
        break;
      }
      case 'maxpool2d':
      case 'avgpool2d': {
        const [channels, height, width] = shape as [number, number, number];
        shape = [channels, Math.floor(height / s.kernel), Math.floor(width / s.kernel)];
        leaf = { ...base, kind: s.kind, outputWidth: product(shape), params: [], channels, height, width, kernel: s.kernel };
        break;
      }
      case 'flatten':
        shape = [product(shape)];
        leaf = { ...base, kind: 'flatten', outputWidth: shape[0], params: [] };
        break;
      case 'rnn':
      case 'lstm':
      case 'gru': {
        const [steps, features] = shape as [number, number];
        const g = s.kind === 'rnn' ? 1 : s.kind === 'lstm' ? 4 : 3, h = s.hidden, bias = s.bias ?? true, sequences = s.sequences ?? false;
        const params = [param('W_ih', [g * h, features]), param('W_hh', [g * h, h]), ...(bias ? [param('b_ih', [g * h]), param('b_hh', [g * h])] : [])];
        shape = sequences ? [steps, h] : [h];
        leaf = { ...base, kind: s.kind, outputWidth: product(shape), params, steps, features, hidden: h, sequences, init: s.init ?? recurrentDefault(h), bias };
        break;
      }
      case 'dense': {
        const inputWidth = product(shape), activation = s.activation ?? 'linear';
        shape = [s.units];
        leaf = {
          ...base, kind: 'dense', outputWidth: s.units, params: [param('W', [inputWidth, s.units]), param('b', [s.units])], units: s.units,
          activation, alpha: activation === 'elu' ? 1 : 0.01, init: { kind: reluFamily(activation) ? 'he' : 'xavier' }, bias: true,
        };
        break;
      }
    }
    leaves.push(leaf);
  });
  const task = sketch.task ?? (sketch.loss.kind === 'cross_entropy' ? 'classes' : 'regression');
  const classes = sketch.classes ?? (task === 'classes' ? leaves[leaves.length - 1].outputWidth : 0);
  const trainSize = sketch.trainSize ?? 8;
  const inputWidth = product(sketch.input);
  return {
    data: { kind: 'generator', generator: 'xor', n: trainSize, noise: 0, seed: 1, options: {}, range: RANGE },
    dataShape: { task, features: inputWidth, classes, trainSize },
    inputWidth,
    layers: leaves,
    leaves,
    loss: sketch.loss,
    optimizer: sketch.optimizer ?? sgd(0.01),
    train: { epochs: 1, batch: sketch.batch ?? trainSize, seed: sketch.seed ?? 7, ...(sketch.steps !== undefined ? { steps: sketch.steps } : {}) },
    watch: {},
    paramCount: leaves.reduce((n, l) => n + l.params.reduce((m, p) => m + p.count, 0), 0),
  };
}
