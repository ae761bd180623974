// The receptive fields of a convolution as rows of a matrix (im2col), and back (col2im),
// for both convolutions: conv2d's channel-first images [C, H, W] and conv1d's step-major
// sequences [T, F] (a 1×T image whose F channels sit next to each other), told apart only
// by the strides of `WindowLayout`. Each copies along the input's contiguous axis, so reads
// run through memory: along a kernel row for images (kj innermost), across the channels of
// a step for sequences (c innermost), with a running cols index. The two directions walk
// the same nest but stay two functions: with a direction flag, one function copied
// measurably slower (the step's time on conv nets is mostly these copies and the gemms).
//
//   cols [rows·H′·W′, C·KH·KW], column order (c, ki, kj) — the weight's own layout
//   cols[(r·H′ + i)·W′ + j, (c·KH + ki)·KW + kj] = x[r, c, i·s + ki − padH, j·s + kj − padW], 0 outside

import type { Floats } from '../floats';

/** Where an example's values lie and how the kernel's windows step over them. */
export interface WindowLayout {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Distance in the example's floats between neighbouring channels, rows and columns. */
  readonly channelStride: number;
  readonly rowStride: number;
  readonly columnStride: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly stride: number;
  readonly padHeight: number;
  readonly padWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

/** cols ← the windows of x's first `rows` examples, zero where a window hangs over the edge. */
export function im2col(layout: WindowLayout, x: Floats, cols: Floats, rows: number): void {
  const { channels, height, width, channelStride, rowStride, columnStride, kernelHeight, kernelWidth, stride, padHeight, padWidth, outHeight, outWidth } = layout;
  const example = channels * height * width, field = channels * kernelHeight * kernelWidth, area = kernelHeight * kernelWidth;
  let o = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * example;
    for (let i = 0; i < outHeight; i++) {
      const top = i * stride - padHeight;
      for (let j = 0; j < outWidth; j++) {
        const left = j * stride - padWidth;
        if (columnStride === 1) {
          for (let c = 0; c < channels; c++) {
            const plane = base + c * channelStride;
            for (let ki = 0; ki < kernelHeight; ki++) {
              const y = top + ki;
              if (y < 0 || y >= height) {
                for (let kj = 0; kj < kernelWidth; kj++) cols[o++] = 0;
                continue;
              }
              const line = plane + y * rowStride;
              for (let kj = 0; kj < kernelWidth; kj++) {
                const xx = left + kj;
                cols[o++] = xx >= 0 && xx < width ? x[line + xx] : 0;
              }
            }
          }
          continue;
        }
        for (let ki = 0; ki < kernelHeight; ki++) {
          const y = top + ki;
          for (let kj = 0; kj < kernelWidth; kj++) {
            const xx = left + kj, at = o + ki * kernelWidth + kj;
            if (y < 0 || y >= height || xx < 0 || xx >= width) {
              for (let c = 0, w = at; c < channels; c++, w += area) cols[w] = 0;
              continue;
            }
            const from = base + y * rowStride + xx * columnStride;
            for (let c = 0, w = at, v = from; c < channels; c++, w += area, v += channelStride) cols[w] = x[v];
          }
        }
        o += field;
      }
    }
  }
}

/** dx ← Σ over the windows that copied each value of their dcols entries (dx is cleared first). */
export function col2im(layout: WindowLayout, dcols: Floats, dx: Floats, rows: number): void {
  const { channels, height, width, channelStride, rowStride, columnStride, kernelHeight, kernelWidth, stride, padHeight, padWidth, outHeight, outWidth } = layout;
  const example = channels * height * width, field = channels * kernelHeight * kernelWidth, area = kernelHeight * kernelWidth;
  dx.fill(0, 0, rows * example);
  let o = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * example;
    for (let i = 0; i < outHeight; i++) {
      const top = i * stride - padHeight;
      for (let j = 0; j < outWidth; j++) {
        const left = j * stride - padWidth;
        if (columnStride === 1) {
          for (let c = 0; c < channels; c++) {
            const plane = base + c * channelStride;
            for (let ki = 0; ki < kernelHeight; ki++) {
              const y = top + ki;
              if (y < 0 || y >= height) {
                o += kernelWidth;
                continue;
              }
              const line = plane + y * rowStride;
              for (let kj = 0; kj < kernelWidth; kj++, o++) {
                const xx = left + kj;
                if (xx >= 0 && xx < width) dx[line + xx] += dcols[o];
              }
            }
          }
          continue;
        }
        for (let ki = 0; ki < kernelHeight; ki++) {
          const y = top + ki;
          if (y < 0 || y >= height) continue;
          for (let kj = 0; kj < kernelWidth; kj++) {
            const xx = left + kj;
            if (xx < 0 || xx >= width) continue;
            const from = base + y * rowStride + xx * columnStride;
            for (let c = 0, w = o + ki * kernelWidth + kj, v = from; c < channels; c++, w += area, v += channelStride) dx[v] += dcols[w];
          }
        }
        o += field;
      }
    }
  }
}
