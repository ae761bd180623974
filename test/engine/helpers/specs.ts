// Builds checked NetworkSpecs and Datasets by hand for engine tests, so the engine is
// tested on exactly the network a test names (no parser in between).

import type {
  ActivationKind, InitSpec, LayerNode, LeafLayer, LossSpec, NetworkSpec, OptimizerSpec, ParamSpec, Task,
} from '../../../src/lang/spec';
import type { Dataset } from '../../../src/engine/data/dataset';
import { activationDef } from '../../../src/kinds';

const RANGE = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };

export type LayerSketch =
  | { kind: 'dense'; units: number; activation?: ActivationKind; alpha?: number; init?: InitSpec; bias?: boolean; name?: string }
  | { kind: 'activation'; activation: ActivationKind; alpha?: number; name?: string }
  | { kind: 'layernorm'; eps?: number; name?: string }
  | { kind: 'batchnorm'; momentum?: number; eps?: number; name?: string }
  | { kind: 'dropout'; rate: number; name?: string }
  | { kind: 'residual'; body: LayerSketch[]; name?: string };

export const dense = (units: number, activation: ActivationKind = 'linear', more: Partial<Extract<LayerSketch, { kind: 'dense' }>> = {}): LayerSketch =>
  ({ kind: 'dense', units, activation, ...more });
export const act = (activation: ActivationKind, alpha?: number): LayerSketch => ({ kind: 'activation', activation, alpha });
export const layernorm = (eps = 1e-5): LayerSketch => ({ kind: 'layernorm', eps });
export const batchnorm = (momentum = 0.9, eps = 1e-5): LayerSketch => ({ kind: 'batchnorm', momentum, eps });
export const dropout = (rate: number): LayerSketch => ({ kind: 'dropout', rate });
export const residual = (...body: LayerSketch[]): LayerSketch => ({ kind: 'residual', body });

export interface NetSketch {
  input: number;
  layers: LayerSketch[];
  loss: LossSpec;
  optimizer?: OptimizerSpec;
  task?: Task;
  classes?: number;
  trainSize?: number;
  epochs?: number;
  batch?: number;
  seed?: number;
  steps?: number;
}

export const sgd = (lr: number, more: Partial<Extract<OptimizerSpec, { kind: 'sgd' }>> = {}): OptimizerSpec =>
  ({ kind: 'sgd', lr, momentum: 0, nesterov: false, weightDecay: 0, ...more });
export const adam = (lr: number, more: Partial<Extract<OptimizerSpec, { kind: 'adam' }>> = {}): OptimizerSpec =>
  ({ kind: 'adam', lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, ...more });
export const rmsprop = (lr: number, more: Partial<Extract<OptimizerSpec, { kind: 'rmsprop' }>> = {}): OptimizerSpec =>
  ({ kind: 'rmsprop', lr, decay: 0.99, eps: 1e-8, weightDecay: 0, ...more });

export function network(sketch: NetSketch): NetworkSpec {
  const leaves: LeafLayer[] = [];
  const counters = new Map<string, number>();
  let line = 2;
  const build = (nodes: LayerSketch[], width: number): { nodes: LayerNode[]; width: number } => {
    const out: LayerNode[] = [];
    for (const s of nodes) {
      line++;
      if (s.kind === 'residual') {
        const blockLine = line;
        const body = build(s.body, width);
        out.push({ kind: 'residual', name: s.name ?? `residual${line}`, line: blockLine, range: RANGE, width, body: body.nodes });
        continue;
      }
      const kindName = s.kind === 'activation' ? s.activation : s.kind;
      const count = (counters.get(kindName) ?? 0) + 1;
      counters.set(kindName, count);
      const base = { index: leaves.length, name: s.name ?? `${kindName}${count}`, line, range: RANGE, inputWidth: width };
      let leaf: LeafLayer;
      switch (s.kind) {
        case 'dense': {
          const bias = s.bias ?? true;
          const params: ParamSpec[] = [{ name: 'W', shape: [width, s.units], count: width * s.units }];
          if (bias) params.push({ name: 'b', shape: [s.units], count: s.units });
          const activation = s.activation ?? 'linear';
          const alpha = s.alpha ?? activationDef(activation).alpha?.default ?? 0;
          const init = s.init ?? (activationDef(activation).traits.reluFamily ? { kind: 'he' as const } : { kind: 'xavier' as const });
          leaf = { ...base, kind: 'dense', outputWidth: s.units, params, units: s.units, activation, alpha, init, bias };
          break;
        }
        case 'activation':
          leaf = { ...base, kind: 'activation', outputWidth: width, params: [], activation: s.activation, alpha: s.alpha ?? activationDef(s.activation).alpha?.default ?? 0 };
          break;
        case 'layernorm':
        case 'batchnorm': {
          const params: ParamSpec[] = [{ name: 'gamma', shape: [width], count: width }, { name: 'beta', shape: [width], count: width }];
          leaf = s.kind === 'layernorm'
            ? { ...base, kind: 'layernorm', outputWidth: width, params, eps: s.eps ?? 1e-5 }
            : { ...base, kind: 'batchnorm', outputWidth: width, params, momentum: s.momentum ?? 0.9, eps: s.eps ?? 1e-5 };
          break;
        }
        case 'dropout':
          leaf = { ...base, kind: 'dropout', outputWidth: width, params: [], rate: s.rate };
          break;
      }
      leaves.push(leaf);
      out.push(leaf);
      width = leaf.outputWidth;
    }
    return { nodes: out, width };
  };
  const { nodes } = build(sketch.layers, sketch.input);
  const task = sketch.task ?? (sketch.loss.kind === 'cross_entropy' ? 'classes' : sketch.loss.kind === 'bce' ? 'binary' : 'regression');
  const classes = sketch.classes ?? (task === 'binary' ? 2 : task === 'classes' ? 3 : 0);
  const trainSize = sketch.trainSize ?? 8;
  return {
    data: { kind: 'generator', generator: 'xor', n: trainSize, noise: 0, seed: 1, options: {}, range: RANGE },
    dataShape: { task, features: sketch.input, classes, trainSize },
    inputWidth: sketch.input,
    layers: nodes,
    leaves,
    loss: sketch.loss,
    optimizer: sketch.optimizer ?? sgd(0.01),
    train: { epochs: sketch.epochs ?? 1, batch: sketch.batch ?? trainSize, seed: sketch.seed ?? 7, ...(sketch.steps !== undefined ? { steps: sketch.steps } : {}) },
    watch: {},
    paramCount: leaves.reduce((n, l) => n + l.params.reduce((m, p) => m + p.count, 0), 0),
  };
}

/** A dataset from plain rows; `y` is a class/label per row, or rows of regression targets. */
export function dataset(x: number[][], y: number[] | number[][], task: Task, classes = 0, validation?: { x: number[][]; y: number[] | number[][] }): Dataset {
  const split = (xs: number[][], ys: number[] | number[][]) => ({
    x: Float64Array.from(xs.flat()),
    y: Float64Array.from((ys as (number | number[])[]).flat()),
    n: xs.length,
  });
  const targetWidth = Array.isArray(y[0]) ? (y[0] as number[]).length : 1;
  return {
    task,
    features: x[0].length,
    classes: task === 'binary' ? 2 : classes,
    targetWidth,
    train: split(x, y),
    ...(validation ? { validation: split(validation.x, validation.y) } : {}),
    source: 'test rows',
  };
}

/** Deterministic pseudo-random numbers for test inputs (independent of the engine's RNG). */
export function testRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function randomRows(rows: number, cols: number, seed: number, scale = 1): number[][] {
  const r = testRandom(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (r() * 2 - 1) * scale));
}
