// A layer's telemetry sums as passes of their own: Σy, Σy² and the saturated count of an
// output, Σdy² of its gradient, into a layer's `stats` (slots below) so that no float is
// returned. Kernels that read the data anyway fold the same sums in instead (the
// `measured` kernels of an activation kind).

import type { Floats } from '../floats';
import { sumSquaresInto } from './reduce';

/** Slots of a layer's measurement in `stats`. */
export const Y_SUM = 0, Y_SQUARES = 1, Y_SATURATED = 2, DY_SQUARES = 3, MEASURE_SLOTS = 4;

// Apart from reduce.ts's `moments` (max |y| for a saturated count): neither pays the other's compares each step.
/**
 * Σy, Σy² and the number of values outside [low, high] — the saturation range of the
 * activation that produced them (activation kind traits), or null when it does not saturate.
 */
export function measureOutputs(y: Floats, n: number, saturation: { low: number; high: number } | null, stats: Float64Array): void {
  const low = saturation === null ? -Infinity : saturation.low;
  const high = saturation === null ? Infinity : saturation.high;
  // Two lanes: the adds of one do not wait on the other's.
  let s0 = 0, s1 = 0, q0 = 0, q1 = 0, saturated = 0;
  const n2 = n - (n % 2);
  for (let i = 0; i < n2; i += 2) {
    const a = y[i], b = y[i + 1];
    s0 += a; q0 += a * a;
    s1 += b; q1 += b * b;
    saturated += (a < low ? 1 : 0) + (a > high ? 1 : 0) + (b < low ? 1 : 0) + (b > high ? 1 : 0);
  }
  if (n2 < n) {
    const a = y[n2];
    s0 += a; q0 += a * a;
    saturated += (a < low ? 1 : 0) + (a > high ? 1 : 0);
  }
  stats[Y_SUM] = s0 + s1;
  stats[Y_SQUARES] = q0 + q1;
  stats[Y_SATURATED] = saturated;
}

/** Σdy² over the first n values into stats[DY_SQUARES], as its own pass. */
export function measureGradient(dy: Floats, n: number, stats: Float64Array): void {
  sumSquaresInto(dy, n, stats, DY_SQUARES);
}
