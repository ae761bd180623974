// One training session over a compiled network: the batch schedule (each epoch shuffles
// the training examples with the train seed and takes consecutive slices of `batch`, the
// last short slice kept), a step (forward, backward, telemetry, clipping, update), and
// evaluation on a validation split. Everything a step needs exists before the first one.

import type { NetworkSpec } from '../lang/spec';
import type { Dataset, Split } from './data/dataset';
import { Network, STREAM_SHUFFLE } from './compile';
import type { DType } from './floats';
import { moments, SUM_SQUARES } from './kernels/reduce';
import { makeOptimizer, type Optimizer } from './optimizers';
import { Recorder } from './recorder';
import { Rng, shuffle } from './rng';

export interface SessionOptions {
  dtype?: DType;
  /** Record telemetry (default true); off for benchmarks of the bare step. */
  telemetry?: boolean;
}

export class Session {
  readonly net: Network;
  readonly optimizer: Optimizer;
  readonly recorder: Recorder | null;
  /** Steps taken (updates applied). */
  steps = 0;
  /** 1-based epoch of the loaded batch. */
  epoch = 0;
  /** Rows of the loaded batch. */
  rows = 0;
  /** Where the loaded batch starts in `order`. */
  start = 0;
  /** Training example indices in this epoch's order. */
  readonly order: Int32Array;
  private position: number;
  private readonly shuffleRng: Rng;
  private readonly updateSquares: Float64Array;
  private readonly weightSquares: Float64Array;
  private readonly scratch = new Float64Array(3);

  constructor(readonly spec: NetworkSpec, readonly data: Dataset, options: SessionOptions = {}) {
    const n = data.train.n;
    this.net = new Network(spec, { dtype: options.dtype, batch: Math.min(spec.train.batch, n) });
    this.optimizer = makeOptimizer(spec.optimizer, this.net.params, this.net.dtype);
    const telemetry = options.telemetry ?? true;
    this.recorder = telemetry ? new Recorder(this.net) : null;
    // The data batch's own gradient is only read by telemetry (the first layer's inGradNorm),
    // and costs a matrix product as large as the first layer's forward: the training loop
    // asks for it on sampled steps only (see measureInputGradient).
    this.net.input.needsGrad = false;
    this.updateSquares = this.recorder?.updateSquares ?? new Float64Array(this.net.params.length);
    this.weightSquares = this.recorder?.weightSquares ?? new Float64Array(this.net.params.length);
    this.order = new Int32Array(n);
    this.position = n;
    this.shuffleRng = new Rng(spec.train.seed, STREAM_SHUFFLE);
  }

  get batchSize(): number {
    return this.net.capacity;
  }

  get stepsPerEpoch(): number {
    return Math.ceil(this.data.train.n / this.net.capacity);
  }

  /** True when the loaded batch is the last of its epoch. */
  get epochEnds(): boolean {
    return this.position >= this.order.length;
  }

  /** Load the next batch of the schedule into the network, starting a new epoch when due. */
  nextBatch(): void {
    const order = this.order;
    if (this.position >= order.length) {
      this.epoch++;
      for (let i = 0; i < order.length; i++) order[i] = i;
      shuffle(order, this.shuffleRng);
      this.position = 0;
    }
    this.start = this.position;
    this.rows = Math.min(this.net.capacity, order.length - this.position);
    this.position += this.rows;
    this.net.loadBatch(this.data.train, this.data.targetWidth, order, this.start, this.rows);
  }

  /** Forward and backward in training mode on the loaded batch; false on NaN/Inf (net.fault says where). */
  computeGradients(): boolean {
    return this.net.forward(this.rows, true) && this.net.backward(this.rows);
  }

  /** Telemetry, clipping and the optimizer step; false when the update made a weight NaN/Inf. */
  update(): boolean {
    const net = this.net, clip = this.spec.optimizer.clip, recorder = this.recorder;
    // Without clipping the optimizer reads the raw gradient anyway: it sums its moments for
    // the telemetry in the same pass. Clipping needs the global norm first, so then the
    // recorder measures them beforehand.
    const momentsInUpdate = recorder !== null && clip === undefined;
    if (recorder !== null) {
      recorder.measureOutputs(this.rows);
      recorder.measureGradients(this.rows, !momentsInUpdate);
    }
    if (clip !== undefined) {
      let squares = 0;
      if (recorder !== null) squares = recorder.gradSquares[0];
      else {
        for (let k = 0; k < net.params.length; k++) {
          moments(net.params[k].grad, net.params[k].count, this.scratch);
          squares += this.scratch[SUM_SQUARES];
        }
      }
      // clip_grad_norm_: factor min(1, clip/(‖g‖ + 1e-6)), computed here rather than through
      // a call with a float argument and result (see recorder.ts on boxing).
      const coef = clip / (Math.sqrt(squares) + 1e-6);
      this.optimizer.gradScale[0] = coef < 1 ? coef : 1;
    }
    this.optimizer.step(this.updateSquares, this.weightSquares, momentsInUpdate ? recorder.gradMoments : null);
    this.steps++;
    this.recorder?.measureUpdate();
    for (let k = 0; k < this.weightSquares.length; k++) {
      const w = this.weightSquares[k];
      if (w - w !== 0) {
        net.fault.set('update', k, this.optimizer.name);
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the next backward pass also computes ∂loss/∂(data batch), read only by the
   * first layer's inGradNorm. Between measurements the recorder keeps the last value.
   */
  set measureInputGradient(on: boolean) {
    this.net.input.needsGrad = on && this.recorder !== null;
  }

  /** One full training step on the next batch. */
  step(): boolean {
    this.nextBatch();
    return this.computeGradients() && this.update();
  }

  /** Mean loss and accuracy over a split in evaluation mode (dropout off, batchnorm running stats). */
  evaluate(split: Split): { loss: number; accuracy: number } {
    const net = this.net;
    let loss = 0, correct = 0;
    for (let start = 0; start < split.n; start += net.capacity) {
      const rows = Math.min(net.capacity, split.n - start);
      net.loadBatch(split, this.data.targetWidth, null, start, rows);
      net.forward(rows, false);
      loss += net.loss.value * rows;
      correct += net.loss.correct;
    }
    return { loss: loss / split.n, accuracy: correct / split.n };
  }
}
