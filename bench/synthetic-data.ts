// The numbers both engines train on: one deterministic data set per workload, with the
// workload's shapes. Speed does not depend on what the data means, only on its shape (and
// on staying finite), so the bench feeds identical values to GradLens and TF.js rather
// than asking each to generate its own.

import type { Dataset } from '../src/engine/data/dataset';
import { Rng } from '../src/engine/rng';
import { classesOf, type Workload } from './workloads';


export function syntheticDataset(workload: Workload, seed = 1): Dataset {
  const rng = new Rng(seed);
  const random = () => rng.uniform();
  const n = workload.examples;
  const features = workload.input;
  const classes = classesOf(workload);
  const x = new Float64Array(n * features);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const label = classes > 0 ? Math.floor(random() * classes) : 0;
    let sum = 0;
    for (let j = 0; j < features; j++) {
      // A class-dependent shift makes the task learnable, like the generators' blobs.
      const value = random() * 2 - 1 + (classes > 0 && j % classes === label ? 0.5 : 0);
      x[i * features + j] = value;
      sum += value;
    }
    y[i] = classes > 0 ? label : sum / Math.sqrt(features);
  }
  const task = workload.loss === 'cross_entropy' ? 'classes' : workload.loss === 'bce' ? 'binary' : 'regression';
  return {
    task,
    features,
    classes,
    targetWidth: 1,
    train: { x, y, n },
    source: `bench synthetic ${workload.id} n=${n} seed=${seed}`,
  };
}

/** The first `batch` examples as plain arrays (row-major x, one target per example). */
export function firstBatch(data: Dataset, batch: number): { x: Float32Array; y: Float32Array } {
  const features = data.features;
  return {
    x: Float32Array.from(data.train.x.subarray(0, batch * features)),
    y: Float32Array.from(data.train.y.subarray(0, batch)),
  };
}
