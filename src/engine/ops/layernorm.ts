// layernorm over each example's features: x̂ = (x − μ)/√(σ² + eps) with the biased
// variance, y = γ·x̂ + β. Backward (per row, N features, g = dy·γ):
//   dx = (1/√(σ²+eps))·(g − mean(g) − x̂·mean(g·x̂)),  dγ = Σ_rows dy·x̂,  dβ = Σ_rows dy.

import { allFinite, allocate, type DType, type Floats } from '../floats';
import { makeTensor, type Op, type Param, type Tensor } from '../tape';

export class LayerNormOp implements Op {
  readonly name = 'layernorm';
  readonly output: Tensor;
  private readonly width: number;
  private readonly normalized: Floats;
  /** 1/√(σ² + eps) per row. */
  private readonly invStd: Float64Array;

  constructor(
    readonly layer: number,
    readonly input: Tensor,
    private readonly gamma: Param,
    private readonly beta: Param,
    private readonly eps: number,
    dtype: DType,
    capacity: number,
  ) {
    this.width = input.width;
    const size = capacity * this.width;
    this.output = makeTensor(this.width, allocate(dtype, size), allocate(dtype, size));
    this.normalized = allocate(dtype, size);
    this.invStd = new Float64Array(capacity);
  }

  forward(rows: number): void {
    const n = this.width, x = this.input.value, y = this.output.value, xh = this.normalized;
    const g = this.gamma.value, b = this.beta.value;
    for (let i = 0; i < rows; i++) {
      const o = i * n;
      let mean = 0;
      for (let j = 0; j < n; j++) mean += x[o + j];
      mean /= n;
      let variance = 0;
      for (let j = 0; j < n; j++) { const d = x[o + j] - mean; variance += d * d; }
      variance /= n;
      const inv = 1 / Math.sqrt(variance + this.eps);
      this.invStd[i] = inv;
      for (let j = 0; j < n; j++) {
        const h = (x[o + j] - mean) * inv;
        xh[o + j] = h;
        y[o + j] = g[j] * h + b[j];
      }
    }
  }

  backward(rows: number): void {
    const n = this.width, dy = this.output.grad, xh = this.normalized, g = this.gamma.value;
    const dg = this.gamma.grad, db = this.beta.grad;
    for (let j = 0; j < n; j++) { dg[j] = 0; db[j] = 0; }
    for (let i = 0; i < rows; i++) {
      const o = i * n;
      for (let j = 0; j < n; j++) { dg[j] += dy[o + j] * xh[o + j]; db[j] += dy[o + j]; }
    }
    if (!this.input.needsGrad) return;
    const dx = this.input.grad;
    for (let i = 0; i < rows; i++) {
      const o = i * n;
      let sum = 0, dot = 0;
      for (let j = 0; j < n; j++) { const gj = dy[o + j] * g[j]; sum += gj; dot += gj * xh[o + j]; }
      const meanG = sum / n, meanGx = dot / n, inv = this.invStd[i];
      for (let j = 0; j < n; j++) dx[o + j] = inv * (dy[o + j] * g[j] - meanG - xh[o + j] * meanGx);
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
