// What conv1d and conv2d share: a convolution of a batch is one matrix product of its
// windows (kernels/im2col.ts) with the weights, and backward is the two products and the
// scatter that undo it. The ops differ only in layout: where the bias goes and how the
// pre-activation is laid out.
//
//   forward   zᵀ [rows·P, OUT] = cols [rows·P, F] · Wᵀ          (F = C·KH·KW, W [OUT, F])
//   backward  dW = dzᵀᵀ · cols;  dcols = dzᵀ · W;  dx = col2im(dcols)

import { allFinite, allocate, type DType, type Floats } from '../floats';
import type { ElementwiseKind } from '../kernels/activations';
import { gemm, gemmNT, gemmTN } from '../kernels/gemm';
import { col2im, im2col, type WindowLayout } from '../kernels/im2col';
import type { Param, Tensor } from '../tape';

/** Output rows and columns of a convolution (PyTorch's floor rule); ≤ 0 when the kernel does not fit. */
export function convOutputSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

/** The windows of a batch and their gradient, planned at compile time for `capacity` examples. */
export class ConvWindows {
  /** Output positions per example (H′·W′). */
  readonly positions: number;
  /** Entries per window (C·KH·KW), the weight's row length. */
  readonly field: number;
  /** Windows, [capacity·P, F]. */
  private readonly cols: Floats;
  /** ∂loss/∂cols (used only when the input needs a gradient; the flag may change after compile). */
  private readonly dcols: Floats;

  constructor(private readonly layout: WindowLayout, dtype: DType, capacity: number) {
    this.positions = layout.outHeight * layout.outWidth;
    this.field = layout.channels * layout.kernelHeight * layout.kernelWidth;
    this.cols = allocate(dtype, capacity * this.positions * this.field);
    this.dcols = allocate(dtype, capacity * this.positions * this.field);
  }

  /** zT [rows·P, OUT] = windows(x) · Wᵀ. */
  forward(x: Floats, weight: Floats, zT: Floats, rows: number, filters: number): void {
    im2col(this.layout, x, this.cols, rows);
    gemmNT(this.cols, weight, zT, rows * this.positions, filters, this.field);
  }

  /** weight.grad = dzTᵀ · windows; when the input needs it, input.grad = col2im(dzT · W). */
  backward(dzT: Floats, weight: Param, input: Tensor, rows: number, filters: number): void {
    gemmTN(dzT, this.cols, weight.grad, rows * this.positions, filters, this.field);
    if (!input.needsGrad) return;
    gemm(dzT, weight.value, this.dcols, rows * this.positions, filters, this.field);
    col2im(this.layout, this.dcols, input.grad, rows);
  }
}

/** The first non-finite stage of a convolution's forward pass: its product (`name`) or its activation. */
export function convForwardFault(name: string, activation: ElementwiseKind, z: Floats, y: Floats, n: number): string | null {
  if (z !== y && !allFinite(z, n)) return name;
  if (!allFinite(y, n)) return activation === 'linear' ? name : activation;
  return null;
}

/** The first non-finite gradient of a convolution's backward pass: bias (through the activation), weight, input. */
export function convBackwardFault(name: string, activation: ElementwiseKind, bias: Param | null, weight: Param, input: Tensor, rows: number): string | null {
  if (bias !== null && !allFinite(bias.grad, bias.count)) return activation === 'linear' ? name : activation;
  if (!allFinite(weight.grad, weight.count)) return name;
  if (input.needsGrad && !allFinite(input.grad, rows * input.width)) return name;
  return null;
}
