// The five benchmark workloads of issue 4, described once. The `.net` files under
// bench/workloads/ are what the engine trains (checked by src/lang); this table is what
// TF.js builds and what the FLOP count and the shape cross-check read, so both engines
// train the same shapes, batch, loss, optimizer and number of steps.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type WorkloadId = 'W1' | 'W2' | 'W3' | 'W4' | 'W5';
export const WORKLOAD_IDS: WorkloadId[] = ['W1', 'W2', 'W3', 'W4', 'W5'];

export type BenchActivation = 'relu' | 'tanh' | 'sigmoid' | 'linear';

export interface DenseShape {
  units: number;
  activation: BenchActivation;
}

export interface Workload {
  id: WorkloadId;
  title: string;
  /** File under bench/workloads/. */
  file: string;
  input: number;
  layers: DenseShape[];
  batch: number;
  loss: 'bce' | 'cross_entropy' | 'mse';
  optimizer: { kind: 'sgd' | 'adam'; lr: number };
  /** Training examples in the synthetic data set (a few batches). */
  examples: number;
  /** Steps per timed repeat, the same for every engine. */
  steps: number;
  /** Timed repeats after at least 0.5 s of warm-up; the median is reported. */
  repeats: number;
}

const dense = (units: number, activation: BenchActivation): DenseShape => ({ units, activation });

export const WORKLOADS: Record<WorkloadId, Workload> = {
  W1: {
    id: 'W1',
    title: 'xor 2-8-1 tanh/sigmoid, batch 4, BCE',
    file: 'w1-xor.net',
    input: 2,
    layers: [dense(8, 'tanh'), dense(1, 'sigmoid')],
    batch: 4,
    loss: 'bce',
    optimizer: { kind: 'sgd', lr: 0.5 },
    examples: 4,
    steps: 3000,
    repeats: 5,
  },
  W2: {
    id: 'W2',
    title: 'spiral 2-64-64-3 relu, batch 128, CE',
    file: 'w2-spiral.net',
    input: 2,
    layers: [dense(64, 'relu'), dense(64, 'relu'), dense(3, 'linear')],
    batch: 128,
    loss: 'cross_entropy',
    optimizer: { kind: 'adam', lr: 0.01 },
    examples: 384,
    steps: 200,
    repeats: 5,
  },
  W3: {
    id: 'W3',
    title: '784-128-64-10 relu, batch 64, CE',
    file: 'w3-mnist-mlp.net',
    input: 784,
    layers: [dense(128, 'relu'), dense(64, 'relu'), dense(10, 'linear')],
    batch: 64,
    loss: 'cross_entropy',
    optimizer: { kind: 'adam', lr: 0.001 },
    examples: 256,
    steps: 30,
    repeats: 5,
  },
  W4: {
    id: 'W4',
    title: '32 → 20×(dense 32 sigmoid) → 1, batch 32, MSE',
    file: 'w4-deep-sigmoid.net',
    input: 32,
    layers: [...Array.from({ length: 20 }, () => dense(32, 'sigmoid')), dense(1, 'linear')],
    batch: 32,
    loss: 'mse',
    optimizer: { kind: 'sgd', lr: 0.1 },
    examples: 128,
    steps: 60,
    repeats: 5,
  },
  W5: {
    id: 'W5',
    title: '256-1024-1024-10 relu, batch 128, CE',
    file: 'w5-wide.net',
    input: 256,
    layers: [dense(1024, 'relu'), dense(1024, 'relu'), dense(10, 'linear')],
    batch: 128,
    loss: 'cross_entropy',
    optimizer: { kind: 'adam', lr: 0.001 },
    examples: 256,
    steps: 4,
    repeats: 5,
  },
};

export function workloadText(workload: Workload): string {
  return readFileSync(join(__dirname, 'workloads', workload.file), 'utf8');
}

export function workloadPath(workload: Workload): string {
  return join(__dirname, 'workloads', workload.file);
}

/** Widths from input to output: [input, units1, units2, ...]. */
export function widths(workload: Workload): number[] {
  return [workload.input, ...workload.layers.map((layer) => layer.units)];
}

/**
 * Floating-point operations of one training step, counted as issue 4 asks: 2·m·k·n for
 * each dense layer's forward matmul and for its two backward matmuls (∂W = xᵀ·∂y and
 * ∂x = ∂y·Wᵀ), so 6·batch·in·out per layer. Elementwise work is left out.
 */
export function flopsPerStep(workload: Workload): number {
  const w = widths(workload);
  let flops = 0;
  for (let i = 1; i < w.length; i++) flops += 6 * workload.batch * w[i - 1] * w[i];
  return flops;
}

export function parameterCount(workload: Workload): number {
  const w = widths(workload);
  let count = 0;
  for (let i = 1; i < w.length; i++) count += w[i - 1] * w[i] + w[i];
  return count;
}

export function classesOf(workload: Workload): number {
  if (workload.loss === 'cross_entropy') return workload.layers[workload.layers.length - 1].units;
  if (workload.loss === 'bce') return 2;
  return 0;
}
