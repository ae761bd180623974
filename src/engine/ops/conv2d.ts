// conv2d on images, as PyTorch's Conv2d: x [C, H, W] per example, W [OUT, C, K, K],
// b [OUT], y [OUT, H′, W′] with H′ = ⌊(H + 2·padding − K)/stride⌋ + 1 (zero padding),
// then the fused activation.
//
// The whole batch is one matrix product: im2col lays every output position's receptive
// field out as a row, cols [rows·P, C·K·K] (P = H′·W′, column order c, ki, kj — W's
// own layout), so that zᵀ [rows·P, OUT] = cols · Wᵀ. The bias add writes z back in the
// [OUT, H′, W′] layout, and the activation follows. Backward undoes it in reverse:
// dz = dy ⊙ f′(z), db = Σ dz per channel, dzᵀ, dW = dzᵀᵀ · cols, dcols = dzᵀ · W, and
// col2im adds every dcols entry back onto the input pixel it was copied from.

import { allFinite, allocate, type DType, type Floats } from '../floats';
import { activate, activationGrad, type ElementwiseKind } from '../kernels/activations';
import { gemm, gemmNT, gemmTN } from '../kernels/gemm';
import { makeTensor, type Op, type Param, type Tensor } from '../tape';

/** A convolution's sizes: input channels × height × width, OUT filters of K×K. */
export interface Conv2dGeometry {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly filters: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
}

/** Output rows and columns of a convolution (PyTorch's floor rule); ≤ 0 when the kernel does not fit. */
export function convOutputSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

export class Conv2dOp implements Op {
  readonly name = 'conv2d';
  readonly output: Tensor;
  readonly forwardCost: number;
  private readonly outHeight: number;
  private readonly outWidth: number;
  /** Receptive fields, [capacity·P, C·K·K]. */
  private readonly cols: Floats;
  /** Pre-activation in position-major order, [capacity·P, OUT]; also holds dzᵀ in backward. */
  private readonly zT: Floats;
  /** Pre-activation [capacity, OUT, H′, W′]; the output buffer itself when linear. */
  private readonly z: Floats;
  /** ∂loss/∂z [capacity, OUT, H′, W′]; the output gradient itself when linear. */
  private readonly dz: Floats;
  /** ∂loss/∂cols (used only when the input needs a gradient; the flag may change after compile). */
  private readonly dcols: Floats;

  constructor(
    readonly layer: number,
    readonly input: Tensor,
    private readonly geometry: Conv2dGeometry,
    private readonly weight: Param,
    private readonly bias: Param | null,
    private readonly activation: ElementwiseKind,
    private readonly alpha: number,
    dtype: DType,
    capacity: number,
  ) {
    const { channels, height, width, filters, kernel, stride, padding } = geometry;
    this.outHeight = convOutputSize(height, kernel, stride, padding);
    this.outWidth = convOutputSize(width, kernel, stride, padding);
    const positions = this.outHeight * this.outWidth, field = channels * kernel * kernel;
    const size = capacity * filters * positions;
    const y = allocate(dtype, size), dy = allocate(dtype, size);
    this.output = makeTensor(filters * positions, y, dy);
    const linear = activation === 'linear';
    this.z = linear ? y : allocate(dtype, size);
    this.dz = linear ? dy : allocate(dtype, size);
    this.zT = allocate(dtype, size);
    this.cols = allocate(dtype, capacity * positions * field);
    this.dcols = allocate(dtype, capacity * positions * field);
    this.forwardCost = positions * (filters * field + field + filters);
  }

  forward(rows: number): void {
    const { filters, channels, kernel } = this.geometry;
    const positions = this.outHeight * this.outWidth, field = channels * kernel * kernel;
    this.im2col(rows);
    gemmNT(this.cols, this.weight.value, this.zT, rows * positions, filters, field);
    // zᵀ [rows·P, OUT] → z [rows, OUT, P], adding the bias on the way.
    const zT = this.zT, z = this.z, b = this.bias === null ? null : this.bias.value;
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < filters; o++) {
        const bo = b === null ? 0 : b[o];
        for (let p = 0, src = r * positions * filters + o, dst = (r * filters + o) * positions; p < positions; p++, src += filters) {
          z[dst + p] = zT[src] + bo;
        }
      }
    }
    activate(z, this.output.value, rows * filters * positions, this.activation, this.alpha);
  }

  backward(rows: number): void {
    const { filters, channels, kernel } = this.geometry;
    const positions = this.outHeight * this.outWidth, field = channels * kernel * kernel;
    const dz = this.dz, dzT = this.zT;
    activationGrad(this.z, this.output.value, this.output.grad, dz, rows * filters * positions, this.activation, this.alpha);
    const db = this.bias === null ? null : this.bias.grad;
    if (db !== null) for (let o = 0; o < filters; o++) db[o] = 0;
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < filters; o++) {
        let sum = 0;
        for (let p = 0, src = (r * filters + o) * positions, dst = r * positions * filters + o; p < positions; p++, dst += filters) {
          const g = dz[src + p];
          dzT[dst] = g;
          sum += g;
        }
        if (db !== null) db[o] += sum;
      }
    }
    gemmTN(dzT, this.cols, this.weight.grad, rows * positions, filters, field);
    if (!this.input.needsGrad) return;
    gemm(dzT, this.weight.value, this.dcols, rows * positions, filters, field);
    this.col2im(rows);
  }

  /** cols[r·P + p, (c·K + ki)·K + kj] = x[r, c, oh·s + ki − pad, ow·s + kj − pad], 0 outside. */
  private im2col(rows: number): void {
    const { channels, height, width, kernel, stride, padding } = this.geometry;
    const x = this.input.value, cols = this.cols, oh = this.outHeight, ow = this.outWidth;
    const image = channels * height * width;
    let o = 0;
    for (let r = 0; r < rows; r++) {
      const base = r * image;
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const top = i * stride - padding, left = j * stride - padding;
          for (let c = 0; c < channels; c++) {
            const plane = base + c * height * width;
            for (let ki = 0; ki < kernel; ki++) {
              const y = top + ki;
              if (y < 0 || y >= height) {
                for (let kj = 0; kj < kernel; kj++) cols[o++] = 0;
                continue;
              }
              const line = plane + y * width;
              for (let kj = 0; kj < kernel; kj++) {
                const xx = left + kj;
                cols[o++] = xx >= 0 && xx < width ? x[line + xx] : 0;
              }
            }
          }
        }
      }
    }
  }

  /** dx = Σ over the receptive fields that copied each pixel of its dcols entries. */
  private col2im(rows: number): void {
    const { channels, height, width, kernel, stride, padding } = this.geometry;
    const dx = this.input.grad, dcols = this.dcols, oh = this.outHeight, ow = this.outWidth;
    const image = channels * height * width;
    dx.fill(0, 0, rows * image);
    let o = 0;
    for (let r = 0; r < rows; r++) {
      const base = r * image;
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const top = i * stride - padding, left = j * stride - padding;
          for (let c = 0; c < channels; c++) {
            const plane = base + c * height * width;
            for (let ki = 0; ki < kernel; ki++) {
              const y = top + ki;
              if (y < 0 || y >= height) {
                o += kernel;
                continue;
              }
              const line = plane + y * width;
              for (let kj = 0; kj < kernel; kj++, o++) {
                const xx = left + kj;
                if (xx >= 0 && xx < width) dx[line + xx] += dcols[o];
              }
            }
          }
        }
      }
    }
  }

  forwardFault(rows: number): string | null {
    const n = rows * this.output.width;
    if (this.z !== this.output.value && !allFinite(this.z, n)) return 'conv2d';
    if (!allFinite(this.output.value, n)) return this.activation === 'linear' ? 'conv2d' : this.activation;
    return null;
  }

  backwardFault(rows: number): string | null {
    if (this.bias !== null && !allFinite(this.bias.grad, this.bias.count)) return this.activation === 'linear' ? 'conv2d' : this.activation;
    if (!allFinite(this.weight.grad, this.weight.count)) return 'conv2d';
    if (this.input.needsGrad && !allFinite(this.input.grad, rows * this.input.width)) return 'conv2d';
    return null;
  }
}
