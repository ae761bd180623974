// conv1d on sequences, as PyTorch's Conv1d on the transposed example: x [T, F] per
// example (F features are the input channels), W [OUT, F, K], b [OUT], y [T′, OUT] with
// T′ = ⌊(T + 2·padding − K)/stride⌋ + 1 (zero padding), then the fused activation.
//
// One matrix product for the batch: im2col lays every output step's window out as a row,
// cols [rows·T′, F·K] (column order f, k — W's own layout), so z [rows·T′, OUT] =
// cols · Wᵀ is already the [T′, OUT] layout. Backward: dz = dy ⊙ f′(z), db = Σ_rows dz,
// dW = dzᵀ · cols, dcols = dz · W, and col2im adds dcols back onto the steps it came from.

import { allFinite, allocate, type DType, type Floats } from '../floats';
import { activate, activationGrad, addBias, type ElementwiseKind } from '../kernels/activations';
import { gemm, gemmNT, gemmTN } from '../kernels/gemm';
import { sumRows } from '../kernels/reduce';
import { makeTensor, type Op, type Param, type Tensor } from '../tape';
import { convOutputSize } from './conv2d';

/** A 1-d convolution's sizes: T steps of F features, OUT filters of K steps. */
export interface Conv1dGeometry {
  readonly steps: number;
  readonly features: number;
  readonly filters: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
}

export class Conv1dOp implements Op {
  readonly name = 'conv1d';
  readonly output: Tensor;
  readonly forwardCost: number;
  private readonly outSteps: number;
  /** Windows, [capacity·T′, F·K]. */
  private readonly cols: Floats;
  /** ∂loss/∂cols (used only when the input needs a gradient). */
  private readonly dcols: Floats;
  /** Pre-activation [capacity·T′, OUT]; the output buffer itself when linear. */
  private readonly z: Floats;
  /** ∂loss/∂z; the output gradient itself when linear. */
  private readonly dz: Floats;

  constructor(
    readonly layer: number,
    readonly input: Tensor,
    private readonly geometry: Conv1dGeometry,
    private readonly weight: Param,
    private readonly bias: Param | null,
    private readonly activation: ElementwiseKind,
    private readonly alpha: number,
    dtype: DType,
    capacity: number,
  ) {
    const { steps, features, filters, kernel, stride, padding } = geometry;
    this.outSteps = convOutputSize(steps, kernel, stride, padding);
    const size = capacity * this.outSteps * filters;
    const y = allocate(dtype, size), dy = allocate(dtype, size);
    this.output = makeTensor(this.outSteps * filters, y, dy);
    const linear = activation === 'linear';
    this.z = linear ? y : allocate(dtype, size);
    this.dz = linear ? dy : allocate(dtype, size);
    this.cols = allocate(dtype, capacity * this.outSteps * features * kernel);
    this.dcols = allocate(dtype, capacity * this.outSteps * features * kernel);
    this.forwardCost = this.outSteps * (filters * features * kernel + features * kernel + filters);
  }

  forward(rows: number): void {
    const { features, filters, kernel } = this.geometry;
    const positions = rows * this.outSteps;
    this.im2col(rows);
    gemmNT(this.cols, this.weight.value, this.z, positions, filters, features * kernel);
    if (this.bias !== null) addBias(this.z, this.bias.value, positions, filters);
    activate(this.z, this.output.value, positions * filters, this.activation, this.alpha);
  }

  backward(rows: number): void {
    const { features, filters, kernel } = this.geometry;
    const positions = rows * this.outSteps;
    activationGrad(this.z, this.output.value, this.output.grad, this.dz, positions * filters, this.activation, this.alpha);
    if (this.bias !== null) sumRows(this.dz, this.bias.grad, positions, filters);
    gemmTN(this.dz, this.cols, this.weight.grad, positions, filters, features * kernel);
    if (!this.input.needsGrad) return;
    gemm(this.dz, this.weight.value, this.dcols, positions, filters, features * kernel);
    this.col2im(rows);
  }

  /** cols[r·T′ + t, f·K + k] = x[r, t·s + k − pad, f], 0 outside the sequence. */
  private im2col(rows: number): void {
    const { steps, features, kernel, stride, padding } = this.geometry;
    const x = this.input.value, cols = this.cols, window = features * kernel;
    for (let r = 0, o = 0; r < rows; r++) {
      const base = r * steps * features;
      for (let t = 0; t < this.outSteps; t++, o += window) {
        const first = t * stride - padding;
        for (let k = 0; k < kernel; k++) {
          const s = first + k;
          if (s < 0 || s >= steps) {
            for (let f = 0; f < features; f++) cols[o + f * kernel + k] = 0;
          } else {
            const at = base + s * features;
            for (let f = 0; f < features; f++) cols[o + f * kernel + k] = x[at + f];
          }
        }
      }
    }
  }

  /** dx[r, s, f] = Σ over the windows that copied step s of their dcols entries. */
  private col2im(rows: number): void {
    const { steps, features, kernel, stride, padding } = this.geometry;
    const dx = this.input.grad, dcols = this.dcols, window = features * kernel;
    dx.fill(0, 0, rows * steps * features);
    for (let r = 0, o = 0; r < rows; r++) {
      const base = r * steps * features;
      for (let t = 0; t < this.outSteps; t++, o += window) {
        const first = t * stride - padding;
        for (let k = 0; k < kernel; k++) {
          const s = first + k;
          if (s < 0 || s >= steps) continue;
          const at = base + s * features;
          for (let f = 0; f < features; f++) dx[at + f] += dcols[o + f * kernel + k];
        }
      }
    }
  }

  forwardFault(rows: number): string | null {
    const n = rows * this.output.width;
    if (this.z !== this.output.value && !allFinite(this.z, n)) return 'conv1d';
    if (!allFinite(this.output.value, n)) return this.activation === 'linear' ? 'conv1d' : this.activation;
    return null;
  }

  backwardFault(rows: number): string | null {
    if (this.bias !== null && !allFinite(this.bias.grad, this.bias.count)) return this.activation === 'linear' ? 'conv1d' : this.activation;
    if (!allFinite(this.weight.grad, this.weight.count)) return 'conv1d';
    if (this.input.needsGrad && !allFinite(this.input.grad, rows * this.input.width)) return 'conv1d';
    return null;
  }
}
