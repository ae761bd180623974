// The checked network: what the checker hands to the engine, the analysis, the server
// and the CLI. Plain, structured-cloneable data (it crosses worker_threads), fully
// resolved: `repeat` unrolled, labels suffixed, defaults filled, widths inferred.
// docs/language.md gives every field's meaning and default.

import type { Range } from './diagnostics';

import type { ActivationKind } from '../kinds/activations';
import type { LeafLayer } from '../kinds/layers';

export type { ActivationKind };

export type InitSpec =
  | { kind: 'he' }
  | { kind: 'xavier' }
  | { kind: 'lecun' }
  | { kind: 'zeros' }
  | { kind: 'ones' }
  /**
   * `measured`: the moments a run log measured on the weights at the start (a PyTorch run's
   * default init is uniform): the analysis judges them as a normal init but names them as
   * measured, not as `normal(…)`.
   */
  | { kind: 'normal'; mean: number; std: number; measured?: true }
  | { kind: 'uniform'; low: number; high: number };

/** Recurrent layers use PyTorch's names: W_ih [G·H, F], W_hh [G·H, H], b_ih and b_hh [G·H]. */
export type ParamName = 'W' | 'b' | 'gamma' | 'beta' | 'W_ih' | 'W_hh' | 'b_ih' | 'b_hh';

export interface ParamSpec {
  name: ParamName;
  /**
   * `W` is [in, out] row-major for dense, PyTorch's [OUT, C, K, K] for conv2d and [OUT, F, K]
   * for conv1d; `b`, `gamma`, `beta` are [width] ([OUT] for convolutions).
   */
  shape: number[];
  count: number;
}

/** What every layer carries, whatever its kind. */
export interface LayerBase {
  /** Position in network order over all leaf layers (residual wrappers excluded), 0-based. */
  index: number;
  /** The label, or the default `KIND` + 1-based per-kind counter (`dense1`, `relu2`); `_k` suffix inside `repeat`. */
  name: string;
  /** 0-based line of the statement that declares it (inside `repeat`, the same line for every copy). */
  line: number;
  /** Range of the whole statement in the source. */
  range: Range;
  inputWidth: number;
  outputWidth: number;
  /**
   * Shapes of one example, row-major: a vector [F], an image [C, H, W] or a sequence [T, F]
   * (widths are their products). Filled by the checker; a leaf built without them is a vector.
   */
  inputShape?: number[];
  outputShape?: number[];
  params: ParamSpec[];
}

/**
 * A resolved leaf layer: LayerBase, its `kind`, and the fields its kind's module declares
 * (src/kinds/layers/: dense.ts, activation.ts, conv2d.ts, …) — derived from the registry,
 * so a new kind needs no variant here.
 */
export type { LeafLayer };

/** `y = x + body(x)`; body keeps the width. Not a leaf: its layers are. */
export interface ResidualBlock {
  kind: 'residual';
  name: string;
  line: number;
  range: Range;
  width: number;
  body: LayerNode[];
}

export type LayerNode = LeafLayer | ResidualBlock;

export type GeneratorKind = 'xor' | 'circles' | 'moons' | 'spiral' | 'blobs' | 'checkerboard' | 'sine' | 'linear' | 'adding';

export type Task = 'binary' | 'classes' | 'regression';

export interface GeneratorData {
  kind: 'generator';
  generator: GeneratorKind;
  n: number;
  noise: number;
  seed: number;
  /** Generator-specific options after defaults (`classes`, `features`, `factor`, `cells`). */
  options: Record<string, number>;
  range: Range;
}

export interface CsvData {
  kind: 'csv';
  /** As written in the file. */
  path: string;
  /** Absolute path, resolved against the `.net` file's folder. */
  resolvedPath: string;
  target: string;
  normalize: boolean;
  /** Train fraction; 1 means no validation split. */
  split: number;
  header: boolean;
  /** Seed of the shuffle before the train/validation split (`seed=`, default 0). */
  seed?: number;
  /** `task=classes` reads a numeric target as class labels; otherwise numeric → regression, text → classes. */
  task?: 'classes' | 'regression';
  range: Range;
}

export type DataSpec = GeneratorData | CsvData;

/** What the data gives the network, known at check time (CSV: read by the checker's host). */
export interface DataShape {
  task: Task;
  features: number;
  /** Number of classes for `classes`, 2 for `binary`, 0 for `regression`. */
  classes: number;
  /** Number of training examples (after the split). */
  trainSize: number;
  /** CSV with a categorical target: the class labels in index order. */
  classLabels?: string[];
}

export type LossSpec =
  | { kind: 'mse' }
  | { kind: 'mae' }
  | { kind: 'huber'; delta: number }
  | { kind: 'bce' }
  | { kind: 'cross_entropy' };

export type OptimizerSpec =
  | { kind: 'sgd'; lr: number; momentum: number; nesterov: boolean; weightDecay: number; clip?: number }
  | { kind: 'adam'; lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; clip?: number }
  | { kind: 'rmsprop'; lr: number; decay: number; eps: number; weightDecay: number; clip?: number };

export interface TrainSpec {
  epochs: number;
  /** Resolved: the whole training set when not written. */
  batch: number;
  seed: number;
  /** Stop after this many steps (overrides epochs) when set. */
  steps?: number;
}

/** Gradient-health thresholds; names match the `gradlens.thresholds.*` settings and `watch` options. */
export interface Thresholds {
  /** Layer gradient RMS below this fraction of the largest layer's → vanishing. */
  vanishingRatio: number;
  /** Layer gradient RMS above this multiple of the smallest layer's (gain rising toward the input) → exploding. */
  explodingRatio: number;
  /** log10 update ratio below this → update-ratio-low. */
  updateRatioLow: number;
  /** log10 update ratio above this → update-ratio-high. */
  updateRatioHigh: number;
  /** Fraction of a ReLU layer's units zero for every example → dead-relu. */
  deadFraction: number;
  /** Fraction of sigmoid/tanh unit-activations saturated → saturated-activation. */
  saturatedFraction: number;
  /**
   * Full runs: the window, in steps, over which a condition must hold for most steps to count
   * as an episode (every per-layer flag), and the steps without improvement before
   * loss-not-decreasing.
   */
  lossWindow: number;
}

/** Starting weights from `weights "file.json"` (or the CLI's `--weights`): the tensors that fit the network. */
export interface WeightsSpec {
  /** As written (or given on the command line). */
  path: string;
  resolvedPath: string;
  /** Per parameter tensor: its leaf layer's index, its name, and its values, row-major in the network's shape. */
  tensors: { layer: number; param: ParamName; values: number[] }[];
}

export interface NetworkSpec {
  name?: string;
  data: DataSpec;
  dataShape: DataShape;
  inputWidth: number;
  /** `input 1 8 8` → [1, 8, 8]; the data's features fill it row-major. Absent: [inputWidth]. */
  inputShape?: number[];
  /** Top-level nodes in order; residual blocks nest. */
  layers: LayerNode[];
  /** Every leaf layer in network order (`layers[i].index === i`). */
  leaves: LeafLayer[];
  loss: LossSpec;
  optimizer: OptimizerSpec;
  train: TrainSpec;
  /** Per-file overrides from `watch`; merged over the settings by the consumer. */
  watch: Partial<Thresholds>;
  paramCount: number;
  /** Weights the network starts from instead of its init (`weights` statement). */
  weights?: WeightsSpec;
  /** Where the `optimizer` statement is (0-based line), when the file writes one: findings about the lr go there. */
  optimizerStatement?: { line: number };
}
