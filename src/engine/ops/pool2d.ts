// maxpool2d and avgpool2d with window = stride = K and no padding, as PyTorch's
// MaxPool2d(K) / AvgPool2d(K): x [C, H, W] per example, y [C, ⌊H/K⌋, ⌊W/K⌋] (rows and
// columns past the last whole window are dropped). Max pooling remembers which input
// won each window, and its gradient goes to that input alone; on ties the first in
// row-major order wins, as in PyTorch (a relu layer before it makes ties of 0 common).
// Average pooling spreads each gradient evenly, 1/K² per input of the window.

import { allFinite, allocate, type DType } from '../floats';
import { makeTensor, type Op, type Tensor } from '../tape';

/** A pooling layer's sizes: input channels × height × width, K×K windows. */
export interface Pool2dGeometry {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly kernel: number;
}

export class MaxPool2dOp implements Op {
  readonly name = 'maxpool2d';
  readonly output: Tensor;
  private readonly outHeight: number;
  private readonly outWidth: number;
  /** Per output value: the index into the input batch of the window's winner. */
  private readonly winner: Int32Array;

  constructor(readonly layer: number, readonly input: Tensor, private readonly geometry: Pool2dGeometry, dtype: DType, capacity: number) {
    this.outHeight = Math.floor(geometry.height / geometry.kernel);
    this.outWidth = Math.floor(geometry.width / geometry.kernel);
    const width = geometry.channels * this.outHeight * this.outWidth;
    this.output = makeTensor(width, allocate(dtype, capacity * width), allocate(dtype, capacity * width));
    this.winner = new Int32Array(capacity * width);
  }

  forward(rows: number): void {
    const { channels, height, width, kernel } = this.geometry;
    const x = this.input.value, y = this.output.value, winner = this.winner;
    const planes = rows * channels;
    for (let q = 0, o = 0; q < planes; q++) {
      const plane = q * height * width;
      for (let i = 0; i < this.outHeight; i++) {
        for (let j = 0; j < this.outWidth; j++, o++) {
          let best = plane + i * kernel * width + j * kernel, max = x[best];
          for (let ki = 0; ki < kernel; ki++) {
            for (let kj = 0, at = plane + (i * kernel + ki) * width + j * kernel; kj < kernel; kj++, at++) {
              const v = x[at];
              // NaN wins as in PyTorch, so a NaN input is not hidden by the pooling.
              if (v > max || v !== v) { max = v; best = at; }
            }
          }
          y[o] = max;
          winner[o] = best;
        }
      }
    }
  }

  backward(rows: number): void {
    if (!this.input.needsGrad) return;
    const dx = this.input.grad, dy = this.output.grad, winner = this.winner;
    dx.fill(0, 0, rows * this.input.width);
    const n = rows * this.output.width;
    for (let o = 0; o < n; o++) dx[winner[o]] += dy[o];
  }

  forwardFault(rows: number): string | null {
    return allFinite(this.output.value, rows * this.output.width) ? null : this.name;
  }

  backwardFault(rows: number): string | null {
    return !this.input.needsGrad || allFinite(this.input.grad, rows * this.input.width) ? null : this.name;
  }
}

export class AvgPool2dOp implements Op {
  readonly name = 'avgpool2d';
  readonly output: Tensor;
  private readonly outHeight: number;
  private readonly outWidth: number;

  constructor(readonly layer: number, readonly input: Tensor, private readonly geometry: Pool2dGeometry, dtype: DType, capacity: number) {
    this.outHeight = Math.floor(geometry.height / geometry.kernel);
    this.outWidth = Math.floor(geometry.width / geometry.kernel);
    const width = geometry.channels * this.outHeight * this.outWidth;
    this.output = makeTensor(width, allocate(dtype, capacity * width), allocate(dtype, capacity * width));
  }

  forward(rows: number): void {
    const { channels, height, width, kernel } = this.geometry;
    const x = this.input.value, y = this.output.value, scale = 1 / (kernel * kernel);
    const planes = rows * channels;
    for (let q = 0, o = 0; q < planes; q++) {
      const plane = q * height * width;
      for (let i = 0; i < this.outHeight; i++) {
        for (let j = 0; j < this.outWidth; j++, o++) {
          let sum = 0;
          for (let ki = 0; ki < kernel; ki++) {
            for (let kj = 0, at = plane + (i * kernel + ki) * width + j * kernel; kj < kernel; kj++, at++) sum += x[at];
          }
          y[o] = sum * scale;
        }
      }
    }
  }

  backward(rows: number): void {
    if (!this.input.needsGrad) return;
    const { channels, height, width, kernel } = this.geometry;
    const dx = this.input.grad, dy = this.output.grad, scale = 1 / (kernel * kernel);
    // Rows and columns past the last whole window get no gradient.
    dx.fill(0, 0, rows * this.input.width);
    const planes = rows * channels;
    for (let q = 0, o = 0; q < planes; q++) {
      const plane = q * height * width;
      for (let i = 0; i < this.outHeight; i++) {
        for (let j = 0; j < this.outWidth; j++, o++) {
          const g = dy[o] * scale;
          for (let ki = 0; ki < kernel; ki++) {
            for (let kj = 0, at = plane + (i * kernel + ki) * width + j * kernel; kj < kernel; kj++, at++) dx[at] = g;
          }
        }
      }
    }
  }

  forwardFault(rows: number): string | null {
    return allFinite(this.output.value, rows * this.output.width) ? null : this.name;
  }

  backwardFault(rows: number): string | null {
    return !this.input.needsGrad || allFinite(this.input.grad, rows * this.input.width) ? null : this.name;
  }
}
