// The layer × step heatmap: one row per layer (first layer on top), one column per bucket
// of steps, coloured by the mean of log10 ‖∇‖ over the bucket. Vanishing gradients show as
// a cold band on top; exploding ones as a hot band at the bottom.

import type { Run } from '../run';
import { heatScale, toRgb, type Palette } from '../theme';
import { fitCanvas } from './canvas';

export interface HeatmapRange {
  min: number;
  max: number;
}

export function drawHeatmap(canvas: HTMLCanvasElement, run: Run, palette: Palette, cssWidth: number): HeatmapRange | undefined {
  const layers = run.gradNorm.length;
  const rowHeight = Math.max(2, Math.min(14, Math.floor(240 / Math.max(1, layers))));
  const ctx = fitCanvas(canvas, cssWidth, layers * rowHeight);
  const columns = run.gradNorm[0]?.count ?? 0;
  if (!ctx || columns === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  const values = new Float64Array(layers * columns);
  for (let i = 0; i < layers; i++) {
    const e = run.gradNorm[i];
    for (let b = 0; b < columns; b++) {
      const v = b < e.count ? e.logMean(b) : NaN;
      values[i * columns + b] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (!Number.isFinite(min)) return undefined;
  const span = Math.max(1e-9, max - min);
  const scale = heatScale(palette);
  const missing = toRgb(palette.background);
  const image = new ImageData(columns, layers);
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    const rgb = Number.isNaN(v) ? missing : scale.subarray(Math.round(((v - min) / span) * 255) * 3, Math.round(((v - min) / span) * 255) * 3 + 3);
    image.data[k * 4] = rgb[0];
    image.data[k * 4 + 1] = rgb[1];
    image.data[k * 4 + 2] = rgb[2];
    image.data[k * 4 + 3] = 255;
  }
  const cells = document.createElement('canvas');
  cells.width = columns;
  cells.height = layers;
  cells.getContext('2d')?.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(cells, 0, 0, cssWidth, layers * rowHeight);
  return { min, max };
}

/** The colour bar under the heatmap, from the smallest to the largest log10 ‖∇‖. */
export function drawHeatLegend(canvas: HTMLCanvasElement, palette: Palette, cssWidth: number): void {
  const ctx = fitCanvas(canvas, cssWidth, 8);
  if (!ctx) return;
  const scale = heatScale(palette);
  for (let px = 0; px < cssWidth; px++) {
    const k = Math.round((px / Math.max(1, cssWidth - 1)) * 255) * 3;
    ctx.fillStyle = `rgb(${scale[k]},${scale[k + 1]},${scale[k + 2]})`;
    ctx.fillRect(px, 0, 1, 8);
  }
}
