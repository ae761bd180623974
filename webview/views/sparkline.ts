// A row's sparkline: the layer's ‖∇‖ over the run on a log scale, one vertical stroke per
// pixel column from the min to the max of the steps it covers (so no spike is hidden),
// joined by a line through each column's mean log value.

import type { Envelope } from '../envelope';
import { fitCanvas } from './canvas';

export const SPARKLINE_WIDTH = 120;
export const SPARKLINE_HEIGHT = 22;

export function drawSparkline(canvas: HTMLCanvasElement, e: Envelope, color: string): void {
  const ctx = fitCanvas(canvas, SPARKLINE_WIDTH, SPARKLINE_HEIGHT);
  if (!ctx || e.count === 0) return;
  const columns = Math.min(SPARKLINE_WIDTH, e.count);
  const lo = new Float64Array(columns).fill(NaN);
  const hi = new Float64Array(columns).fill(NaN);
  const mean = new Float64Array(columns).fill(NaN);
  let min = Infinity;
  let max = -Infinity;
  for (let c = 0; c < columns; c++) {
    const b0 = Math.floor((c * e.count) / columns);
    const b1 = Math.floor(((c + 1) * e.count) / columns);
    let sum = 0;
    let n = 0;
    for (let b = b0; b < b1; b++) {
      if (e.min[b] > 0 && !(Math.log10(e.min[b]) >= lo[c])) lo[c] = Math.log10(e.min[b]);
      if (e.max[b] > 0 && !(Math.log10(e.max[b]) <= hi[c])) hi[c] = Math.log10(e.max[b]);
      const m = e.logMean(b);
      if (!Number.isNaN(m)) {
        sum += m;
        n++;
      }
    }
    if (n > 0) mean[c] = sum / n;
    if (lo[c] < min) min = lo[c];
    if (hi[c] > max) max = hi[c];
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) return;
  // At least one decade of range, so a flat series sits mid-height rather than jittering.
  const span = Math.max(1, max - min);
  const mid = (max + min) / 2;
  const top = mid + span / 2;
  const pad = 2;
  const y = (v: number) => pad + ((top - v) / span) * (SPARKLINE_HEIGHT - 2 * pad);
  const x = (c: number) => ((c + 0.5) * SPARKLINE_WIDTH) / columns;
  ctx.strokeStyle = color;
  ctx.globalAlpha = 0.35;
  ctx.lineWidth = Math.max(1, SPARKLINE_WIDTH / columns);
  ctx.beginPath();
  for (let c = 0; c < columns; c++) {
    if (Number.isNaN(lo[c])) continue;
    ctx.moveTo(x(c), y(hi[c]) - 0.5);
    ctx.lineTo(x(c), y(lo[c]) + 0.5);
  }
  ctx.stroke();
  ctx.globalAlpha = 1;
  ctx.lineWidth = 1.25;
  ctx.beginPath();
  let drawing = false;
  for (let c = 0; c < columns; c++) {
    if (Number.isNaN(mean[c])) {
      drawing = false;
      continue;
    }
    if (drawing) ctx.lineTo(x(c), y(mean[c]));
    else ctx.moveTo(x(c), y(mean[c]));
    drawing = true;
  }
  ctx.stroke();
}
