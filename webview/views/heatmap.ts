// The layer × step heatmap: one row per layer (first layer on top), one column per span of
// steps (at most one per pixel), coloured by the mean of log10 ‖∇‖ over the span. Vanishing
// gradients show as a cold band on top; exploding ones as a hot band at the bottom.
// The same drawing, one row per time step, is a recurrent layer's time × training-step
// heatmap of ‖∂L/∂h_t‖: vanishing through time is a cold band over the early steps.

import type { Envelope } from '../envelope';
import type { Run } from '../run';
import { heatScale, toRgb, type Palette } from '../theme';
import { fitCanvas } from './canvas';

export interface HeatmapRange {
  min: number;
  max: number;
}

export function drawHeatmap(canvas: HTMLCanvasElement, run: Run, palette: Palette, cssWidth: number): HeatmapRange | undefined {
  return drawLogHeat(canvas, run.gradNorm, palette, cssWidth);
}

/** A recurrent layer's ‖∂L/∂h_t‖: one row per time step t = 1…T (step 1 on top). */
export function drawTimeHeatmap(canvas: HTMLCanvasElement, run: Run, layer: number, palette: Palette, cssWidth: number): HeatmapRange | undefined {
  const rows = run.timeGrad.get(layer);
  return rows ? drawLogHeat(canvas, rows, palette, cssWidth) : undefined;
}

/** One row per envelope, one column per span of steps, coloured by the span's mean log10. */
function drawLogHeat(canvas: HTMLCanvasElement, series: readonly Envelope[], palette: Palette, cssWidth: number): HeatmapRange | undefined {
  const layers = series.length;
  const rowHeight = Math.max(2, Math.min(14, Math.floor(240 / Math.max(1, layers))));
  const ctx = fitCanvas(canvas, cssWidth, layers * rowHeight);
  const buckets = series[0]?.count ?? 0;
  if (!ctx || buckets === 0) return undefined;
  // No more columns than the canvas has pixels across: with 100 layers × 2048 buckets a
  // cell per bucket cost tens of milliseconds per redraw while streaming.
  const columns = Math.max(1, Math.min(buckets, Math.floor(cssWidth)));
  let min = Infinity;
  let max = -Infinity;
  const values = new Float32Array(layers * columns);
  for (let i = 0; i < layers; i++) {
    const e = series[i];
    for (let c = 0; c < columns; c++) {
      const v = e.logMeanOf(Math.floor((c * buckets) / columns), Math.floor(((c + 1) * buckets) / columns));
      values[i * columns + c] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (!Number.isFinite(min)) return undefined;
  const span = Math.max(1e-9, max - min);
  const scale = heatScale(palette);
  const missing = toRgb(palette.background);
  const image = new ImageData(columns, layers);
  const pixels = image.data;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    const p = k * 4;
    if (Number.isNaN(v)) {
      pixels[p] = missing[0];
      pixels[p + 1] = missing[1];
      pixels[p + 2] = missing[2];
    } else {
      const s = Math.round(((v - min) / span) * 255) * 3;
      pixels[p] = scale[s];
      pixels[p + 1] = scale[s + 1];
      pixels[p + 2] = scale[s + 2];
    }
    pixels[p + 3] = 255;
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
