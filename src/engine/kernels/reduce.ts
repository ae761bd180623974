// Reductions over flat arrays: what the backward pass (bias gradients) and the telemetry
// (norms, moments, extremes) need. Each is one pass; results land in caller-owned
// storage so nothing is allocated.

import type { Floats } from '../floats';

/** out[cols] = Σ over rows of m[rows, cols] (the bias gradient). */
export function sumRows(m: Floats, out: Floats, rows: number, cols: number): void {
  for (let j = 0; j < cols; j++) out[j] = 0;
  for (let i = 0, o = 0; i < rows; i++) for (let j = 0; j < cols; j++, o++) out[j] += m[o];
}

export function sumSquares(v: Floats, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i] * v[i];
  return s;
}

/** Index layout of `moments` results. */
export const SUM = 0, SUM_SQUARES = 1, MAX_ABS = 2;

/** out[SUM], out[SUM_SQUARES], out[MAX_ABS] of the first n values, in one pass. */
export function moments(v: Floats, n: number, out: Float64Array): void {
  let s = 0, ss = 0, m = 0;
  for (let i = 0; i < n; i++) {
    const x = v[i];
    s += x;
    ss += x * x;
    const a = x < 0 ? -x : x;
    if (a > m || a !== a) m = a;
  }
  out[SUM] = s;
  out[SUM_SQUARES] = ss;
  out[MAX_ABS] = m;
}

/** Population standard deviation from a sum and a sum of squares over n values. */
export function stdFrom(sum: number, sumSquares: number, n: number): number {
  if (n === 0) return 0;
  const mean = sum / n;
  const variance = sumSquares / n - mean * mean;
  return variance > 0 ? Math.sqrt(variance) : 0;
}

/** Scale the first n values by `factor` in place. */
export function scale(v: Floats, n: number, factor: number): void {
  for (let i = 0; i < n; i++) v[i] *= factor;
}
