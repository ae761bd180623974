// A loaded dataset: what generators and the CSV loader produce and the training loop
// consumes. Row-major float64 storage (the engine copies batches into its own buffers,
// in float32 or float64 as compiled).

import type { Task } from '../../lang/spec';

export interface Split {
  /** [n, features] row-major. */
  x: Float64Array;
  /**
   * Targets: for `classes`, the class index per example ([n]); for `binary`, 0/1 per
   * example ([n]); for `regression`, [n, targetWidth] row-major.
   */
  y: Float64Array;
  n: number;
}

export interface Dataset {
  task: Task;
  features: number;
  /** Number of classes (classes), 2 (binary), or 0 (regression). */
  classes: number;
  /** Values per example in `y` (1 unless a regression target has several columns). */
  targetWidth: number;
  train: Split;
  /** Present when the data statement asks for a validation split. */
  validation?: Split;
  /** Human-readable origin, e.g. `spiral n=300 seed=1` or `data/iris.csv`. */
  source: string;
  classLabels?: string[];
}
