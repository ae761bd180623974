// Reductions over flat arrays: what the backward pass (bias gradients) and the telemetry
// (norms, moments, extremes) need. Each is one pass; results land in caller-owned
// storage so nothing is allocated.

import type { Floats } from '../floats';

/** out[cols] = Σ over rows of m[rows, cols] (the bias gradient). */
export function sumRows(m: Floats, out: Floats, rows: number, cols: number): void {
  for (let j = 0; j < cols; j++) out[j] = 0;
  for (let i = 0, o = 0; i < rows; i++) for (let j = 0; j < cols; j++, o++) out[j] += m[o];
}

/** out[at] = Σv² over the first n values, stored rather than returned (a returned float may be boxed). */
export function sumSquaresInto(v: Floats, n: number, out: Float64Array, at = 0): void {
  // Four independent accumulators: one chain of dependent adds would bound the speed.
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n4 = n - (n % 4);
  for (let i = 0; i < n4; i += 4) {
    const a = v[i], b = v[i + 1], c = v[i + 2], d = v[i + 3];
    s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d;
  }
  for (let i = n4; i < n; i++) s0 += v[i] * v[i];
  out[at] = s0 + s1 + s2 + s3;
}

/**
 * How many columns of m[rows, cols] are exactly 0 in every row (dead units). A live column
 * usually shows a non-zero in its first rows, so the scan stops early: far less than a
 * pass over the matrix, though it walks down columns.
 */
export function deadColumns(m: Floats, rows: number, cols: number): number {
  let dead = 0;
  for (let j = 0; j < cols; j++) {
    let i = 0;
    for (let o = j; i < rows && m[o] === 0; i++, o += cols);
    if (i === rows) dead++;
  }
  return dead;
}

/**
 * Channels of a channel-major [rows, channels, size] batch (an image's [C, H, W]) that are
 * exactly 0 at every position of every row: a convolution filter that never fires.
 */
export function deadPlanes(m: Floats, rows: number, channels: number, size: number): number {
  let dead = 0;
  const stride = channels * size;
  for (let c = 0; c < channels; c++) {
    let alive = false;
    for (let r = 0; r < rows && !alive; r++) {
      for (let o = r * stride + c * size, end = o + size; o < end; o++) {
        if (m[o] !== 0) {
          alive = true;
          break;
        }
      }
    }
    if (!alive) dead++;
  }
  return dead;
}

/** Index layout of `moments` results. */
export const SUM = 0, SUM_SQUARES = 1, MAX_ABS = 2;

/** out[SUM], out[SUM_SQUARES], out[MAX_ABS] of the first n values (finite), in one pass. */
export function moments(v: Floats, n: number, out: Float64Array): void {
  // Two lanes of independent accumulators, so the adds do not wait on each other.
  let s0 = 0, s1 = 0, q0 = 0, q1 = 0, m0 = 0, m1 = 0;
  const n2 = n - (n % 2);
  for (let i = 0; i < n2; i += 2) {
    const a = v[i], b = v[i + 1];
    s0 += a; q0 += a * a;
    s1 += b; q1 += b * b;
    // Math.abs compiles to a mask; `a < 0 ? -a : a` is a branch that random signs mispredict.
    const aa = Math.abs(a), ab = Math.abs(b);
    m0 = aa > m0 ? aa : m0;
    m1 = ab > m1 ? ab : m1;
  }
  if (n2 < n) {
    const a = v[n2];
    s0 += a; q0 += a * a;
    const aa = Math.abs(a);
    m0 = aa > m0 ? aa : m0;
  }
  out[SUM] = s0 + s1;
  out[SUM_SQUARES] = q0 + q1;
  out[MAX_ABS] = m0 > m1 ? m0 : m1;
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
