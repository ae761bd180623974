// A workload's NetworkSpec built by hand, as the checker would resolve its `.net` file.
// Used only when src/lang cannot check the file (before it lands); the bench says so in
// its output. With the checker present, the checked spec is used and cross-checked
// against the workload table instead.

import type { Range } from '../src/lang/diagnostics';
import type { DenseLayer, LossSpec, NetworkSpec, OptimizerSpec } from '../src/lang/spec';
import { classesOf, widths, type Workload } from './workloads';

const nowhere: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function handSpec(workload: Workload): NetworkSpec {
  const w = widths(workload);
  const leaves: DenseLayer[] = workload.layers.map((layer, i) => ({
    kind: 'dense',
    index: i,
    name: `dense${i + 1}`,
    line: 4 + i,
    range: nowhere,
    inputWidth: w[i],
    outputWidth: w[i + 1],
    params: [
      { name: 'W', shape: [w[i], w[i + 1]], count: w[i] * w[i + 1] },
      { name: 'b', shape: [w[i + 1]], count: w[i + 1] },
    ],
    units: layer.units,
    activation: layer.activation,
    alpha: 0,
    init: layer.activation === 'relu' ? { kind: 'he' } : { kind: 'xavier' },
    bias: true,
  }));
  const loss: LossSpec = { kind: workload.loss };
  const optimizer: OptimizerSpec =
    workload.optimizer.kind === 'adam'
      ? { kind: 'adam', lr: workload.optimizer.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }
      : { kind: 'sgd', lr: workload.optimizer.lr, momentum: 0, nesterov: false, weightDecay: 0 };
  const classes = classesOf(workload);
  return {
    name: `bench_${workload.id}`,
    data: { kind: 'generator', generator: 'blobs', n: workload.examples, noise: 0, seed: 1, options: {}, range: nowhere },
    dataShape: {
      task: workload.loss === 'cross_entropy' ? 'classes' : workload.loss === 'bce' ? 'binary' : 'regression',
      features: workload.input,
      classes,
      trainSize: workload.examples,
    },
    inputWidth: workload.input,
    layers: leaves,
    leaves,
    loss,
    optimizer,
    train: { epochs: 1000, batch: workload.batch, seed: 1 },
    watch: {},
    paramCount: leaves.reduce((sum, layer) => sum + layer.params.reduce((s, p) => s + p.count, 0), 0),
  };
}
