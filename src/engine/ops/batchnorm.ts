// batchnorm over the batch, per feature. Training: x̂ = (x − μ_B)/√(σ²_B + eps) with the
// batch mean and biased variance, y = γ·x̂ + β, and the running statistics move as
// running = momentum·running + (1 − momentum)·batch (unbiased variance, as PyTorch
// stores it). Evaluation normalises with the running statistics instead.
// Backward (training, per feature over N rows, g = dy·γ):
//   dx = (1/√(σ²+eps))·(g − mean(g) − x̂·mean(g·x̂)),  dγ = Σ dy·x̂,  dβ = Σ dy.

import { allFinite, allocate, type DType, type Floats } from '../floats';
import { makeTensor, type Op, type Param, type Tensor } from '../tape';

export class BatchNormOp implements Op {
  readonly name = 'batchnorm';
  readonly output: Tensor;
  readonly runningMean: Float64Array;
  readonly runningVar: Float64Array;
  private readonly width: number;
  private readonly normalized: Floats;
  private readonly mean: Float64Array;
  /** 1/√(σ² + eps) per feature, for the batch of the last training forward. */
  private readonly invStd: Float64Array;
  private readonly sumG: Float64Array;
  private readonly sumGx: Float64Array;

  constructor(
    readonly layer: number,
    readonly input: Tensor,
    private readonly gamma: Param,
    private readonly beta: Param,
    private readonly momentum: number,
    private readonly eps: number,
    dtype: DType,
    capacity: number,
  ) {
    const n = (this.width = input.width);
    this.output = makeTensor(n, allocate(dtype, capacity * n), allocate(dtype, capacity * n));
    this.normalized = allocate(dtype, capacity * n);
    this.runningMean = new Float64Array(n);
    this.runningVar = new Float64Array(n).fill(1);
    this.mean = new Float64Array(n);
    this.invStd = new Float64Array(n);
    this.sumG = new Float64Array(n);
    this.sumGx = new Float64Array(n);
  }

  forward(rows: number, training: boolean): void {
    const n = this.width, x = this.input.value, mean = this.mean, inv = this.invStd;
    if (training) {
      mean.fill(0);
      inv.fill(0);
      for (let i = 0, o = 0; i < rows; i++) for (let j = 0; j < n; j++, o++) mean[j] += x[o];
      for (let j = 0; j < n; j++) mean[j] /= rows;
      // invStd first holds the sum of squared deviations.
      for (let i = 0, o = 0; i < rows; i++) for (let j = 0; j < n; j++, o++) { const d = x[o] - mean[j]; inv[j] += d * d; }
      const keep = this.momentum, take = 1 - this.momentum;
      for (let j = 0; j < n; j++) {
        const squares = inv[j];
        inv[j] = 1 / Math.sqrt(squares / rows + this.eps);
        this.runningMean[j] = keep * this.runningMean[j] + take * mean[j];
        // A single example has no unbiased variance (PyTorch refuses it); keep the old one.
        if (rows > 1) this.runningVar[j] = keep * this.runningVar[j] + take * (squares / (rows - 1));
      }
    } else {
      for (let j = 0; j < n; j++) {
        mean[j] = this.runningMean[j];
        inv[j] = 1 / Math.sqrt(this.runningVar[j] + this.eps);
      }
    }
    const y = this.output.value, xh = this.normalized, g = this.gamma.value, b = this.beta.value;
    for (let i = 0, o = 0; i < rows; i++) {
      for (let j = 0; j < n; j++, o++) {
        const h = (x[o] - mean[j]) * inv[j];
        xh[o] = h;
        y[o] = g[j] * h + b[j];
      }
    }
  }

  backward(rows: number): void {
    const n = this.width, dy = this.output.grad, xh = this.normalized, g = this.gamma.value;
    const dg = this.gamma.grad, db = this.beta.grad;
    for (let j = 0; j < n; j++) { dg[j] = 0; db[j] = 0; }
    for (let i = 0, o = 0; i < rows; i++) {
      for (let j = 0; j < n; j++, o++) { dg[j] += dy[o] * xh[o]; db[j] += dy[o]; }
    }
    if (!this.input.needsGrad) return;
    // Σ g = γ·dβ and Σ g·x̂ = γ·dγ per feature.
    const sumG = this.sumG, sumGx = this.sumGx;
    for (let j = 0; j < n; j++) { sumG[j] = (g[j] * db[j]) / rows; sumGx[j] = (g[j] * dg[j]) / rows; }
    const dx = this.input.grad, inv = this.invStd;
    for (let i = 0, o = 0; i < rows; i++) {
      for (let j = 0; j < n; j++, o++) dx[o] = inv[j] * (dy[o] * g[j] - sumG[j] - xh[o] * sumGx[j]);
    }
  }

  forwardFault(rows: number): string | null {
    return allFinite(this.output.value, rows * this.width) ? null : this.name;
  }

  backwardFault(rows: number): string | null {
    if (!allFinite(this.gamma.grad, this.width) || !allFinite(this.beta.grad, this.width)) return this.name;
    if (this.input.needsGrad && !allFinite(this.input.grad, rows * this.width)) return this.name;
    return null;
  }
}
