// The loss: the last op on the tape. Every loss reduces by the mean over all elements,
// as PyTorch's reduction='mean' (cross_entropy: over the examples). Each kind's value
// and gradient sit side by side; d is the prediction minus the target, N the count.
//   mse    Σd²/N                               ∂ = 2d/N
//   mae    Σ|d|/N                              ∂ = sign(d)/N
//   huber  ½d² (|d|<δ) | δ(|d|−½δ)            ∂ = d | δ·sign(d), over N
//   bce    −Σ(t·log p + (1−t)·log(1−p))/N, logs clamped at −100 (BCELoss)
//          ∂ = (p − t)/max(p(1−p), 1e-12)/N (BCELoss's backward)
//   cross_entropy  Σ(logsumexp(z) − z_t)/rows   ∂ = (softmax(z) − onehot(t))/rows

import type { LossSpec } from '../../lang/spec';
import { allFinite, type Floats } from '../floats';
import type { Op, Tensor } from '../tape';

export class LossOp implements Op {
  readonly layer = -1;
  readonly name: LossSpec['kind'];
  /** Loss of the last forward. */
  value = 0;
  /** Correct predictions in the last forward (classification; 0 otherwise). */
  correct = 0;
  private readonly width: number;
  private readonly delta: number;

  constructor(
    readonly input: Tensor,
    spec: LossSpec,
    /** Targets: class index per row for cross_entropy, else [rows, width] like the output. */
    readonly target: Floats,
    /** How `correct` is counted: argmax over classes, output > 0.5 for binary, or not at all. */
    private readonly accuracy: 'argmax' | 'threshold' | 'none',
  ) {
    this.name = spec.kind;
    this.width = input.width;
    this.delta = spec.kind === 'huber' ? spec.delta : 0;
  }

  /** The output that stands in for the loss on the tape (it has no tensor of its own). */
  get output(): Tensor {
    return this.input;
  }

  forward(rows: number): void {
    // The helpers store their results: a float returned from a call V8 does not inline is boxed.
    if (this.name === 'cross_entropy') this.crossEntropy(rows);
    else this.elementwise(rows);
    this.countCorrect(rows);
  }

  backward(rows: number): void {
    if (this.name === 'cross_entropy') this.crossEntropyGrad(rows);
    else this.elementwiseGrad(rows);
  }

  private elementwise(rows: number): void {
    const n = rows * this.width, p = this.input.value, t = this.target, delta = this.delta;
    let sum = 0;
    switch (this.name) {
      case 'mse':
        for (let i = 0; i < n; i++) { const d = p[i] - t[i]; sum += d * d; }
        break;
      case 'mae':
        for (let i = 0; i < n; i++) sum += Math.abs(p[i] - t[i]);
        break;
      case 'huber':
        for (let i = 0; i < n; i++) {
          const a = Math.abs(p[i] - t[i]);
          sum += a < delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
        }
        break;
      case 'bce':
        for (let i = 0; i < n; i++) {
          const logP = Math.max(Math.log(p[i]), -100), log1mP = Math.max(Math.log(1 - p[i]), -100);
          sum -= t[i] * logP + (1 - t[i]) * log1mP;
        }
        break;
    }
    this.value = sum / n;
  }

  private elementwiseGrad(rows: number): void {
    const n = rows * this.width, p = this.input.value, t = this.target, g = this.input.grad;
    const delta = this.delta, inv = 1 / n;
    switch (this.name) {
      case 'mse':
        for (let i = 0; i < n; i++) g[i] = 2 * (p[i] - t[i]) * inv;
        break;
      case 'mae':
        for (let i = 0; i < n; i++) { const d = p[i] - t[i]; g[i] = (d > 0 ? inv : d < 0 ? -inv : 0); }
        break;
      case 'huber':
        for (let i = 0; i < n; i++) {
          const d = p[i] - t[i];
          g[i] = (d <= -delta ? -delta : d >= delta ? delta : d) * inv;
        }
        break;
      case 'bce':
        for (let i = 0; i < n; i++) {
          const q = p[i];
          g[i] = ((q - t[i]) / Math.max(q * (1 - q), 1e-12)) * inv;
        }
        break;
    }
  }

  private crossEntropy(rows: number): void {
    const c = this.width, z = this.input.value, t = this.target;
    let sum = 0;
    for (let i = 0; i < rows; i++) {
      const o = i * c;
      let max = -Infinity;
      for (let j = 0; j < c; j++) if (z[o + j] > max) max = z[o + j];
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(z[o + j] - max);
      sum += max + Math.log(s) - z[o + t[i]];
    }
    this.value = sum / rows;
  }

  private crossEntropyGrad(rows: number): void {
    const c = this.width, z = this.input.value, t = this.target, g = this.input.grad, inv = 1 / rows;
    for (let i = 0; i < rows; i++) {
      const o = i * c;
      let max = -Infinity;
      for (let j = 0; j < c; j++) if (z[o + j] > max) max = z[o + j];
      let s = 0;
      for (let j = 0; j < c; j++) { const e = Math.exp(z[o + j] - max); g[o + j] = e; s += e; }
      const scale = inv / s;
      for (let j = 0; j < c; j++) g[o + j] *= scale;
      g[o + t[i]] -= inv;
    }
  }

  private countCorrect(rows: number): void {
    const c = this.width, y = this.input.value, t = this.target;
    let correct = 0;
    if (this.accuracy === 'argmax') {
      const classIndex = this.name === 'cross_entropy';
      for (let i = 0; i < rows; i++) {
        const o = i * c;
        let best = 0;
        for (let j = 1; j < c; j++) if (y[o + j] > y[o + best]) best = j;
        // With one-hot targets (a regression loss on classes) the target's argmax is the class.
        let label = 0;
        if (classIndex) label = t[i];
        else for (let j = 1; j < c; j++) if (t[o + j] > t[o + label]) label = j;
        if (best === label) correct++;
      }
    } else if (this.accuracy === 'threshold') {
      for (let i = 0; i < rows; i++) if ((y[i * c] > 0.5 ? 1 : 0) === (t[i * c] > 0.5 ? 1 : 0)) correct++;
    }
    this.correct = correct;
  }

  forwardFault(): string | null {
    return this.value - this.value === 0 ? null : this.name;
  }

  backwardFault(rows: number): string | null {
    return allFinite(this.input.grad, rows * this.width) ? null : this.name;
  }
}
