// The receptive fields of a convolution as rows of a matrix (im2col), and back (col2im).
// One loop nest serves both directions and both convolutions: conv2d's channel-first
// images [C, H, W] and conv1d's step-major sequences [T, F] (a 1×T image whose F channels
// sit next to each other), told apart only by the strides of `WindowLayout`.
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
  windows(layout, x, cols, rows, true);
}

/** dx ← Σ over the windows that copied each value of their dcols entries (dx is cleared first). */
export function col2im(layout: WindowLayout, dcols: Floats, dx: Floats, rows: number): void {
  dx.fill(0, 0, rows * layout.channels * layout.height * layout.width);
  windows(layout, dx, dcols, rows, false);
}

/**
 * Walks every window entry in cols order. The edges are cut per kernel row (the in-image
 * span [first, last) of kj), so the inner loops carry no bounds test and the direction is
 * decided once per kernel row, not per entry.
 */
function windows(layout: WindowLayout, image: Floats, cols: Floats, rows: number, gather: boolean): void {
  const { channels, height, width, channelStride, rowStride, columnStride, kernelHeight, kernelWidth, stride, padHeight, padWidth, outHeight, outWidth } = layout;
  const example = channels * height * width;
  let o = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * example;
    for (let i = 0; i < outHeight; i++) {
      const top = i * stride - padHeight;
      for (let j = 0; j < outWidth; j++) {
        const left = j * stride - padWidth;
        const first = Math.max(0, -left), last = Math.min(kernelWidth, width - left);
        for (let c = 0; c < channels; c++) {
          const plane = base + c * channelStride;
          for (let ki = 0; ki < kernelHeight; ki++, o += kernelWidth) {
            const y = top + ki;
            if (y < 0 || y >= height || first >= last) {
              if (gather) for (let kj = 0; kj < kernelWidth; kj++) cols[o + kj] = 0;
              continue;
            }
            const start = plane + y * rowStride + (left + first) * columnStride;
            if (gather) {
              for (let kj = 0; kj < first; kj++) cols[o + kj] = 0;
              for (let kj = first, at = start; kj < last; kj++, at += columnStride) cols[o + kj] = image[at];
              for (let kj = last; kj < kernelWidth; kj++) cols[o + kj] = 0;
            } else {
              for (let kj = first, at = start; kj < last; kj++, at += columnStride) image[at] += cols[o + kj];
            }
          }
        }
      }
    }
  }
}
