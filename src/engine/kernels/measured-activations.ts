// The activation kernels with a layer's telemetry folded in: Σy, Σy² and the saturated
// count of the output, and Σdy² of its gradient, into `stats` (slots below) so no float
// is returned. Same flat row-major layout as activations.ts. Where each kind measures
// follows what was measured to cost least on the benchmark workloads:
// - relu sums y in its forward and dy in its backward: each loop is a compare per
//   element whose data-dependent branch hides the extra adds, where a separate pass would
//   cost as much again.
// - sigmoid and tanh measure everything in their backward, which reads y and dy anyway
//   (0.65 → 1.25 ns per element, against 1.8 for the backward plus separate passes), and
//   count saturation from the local derivative the backward computes anyway: one compare
//   instead of two (1.31 → 1.13 ns per element at W4's 32×32). Not in their forward: the
//   accumulators spill around each Math.exp/Math.tanh call into C++ (8.7 → 10.3 ns per
//   element).
// - the other kinds run their plain kernels, then the measuring passes.

import type { ActivationKind } from '../../lang/spec';
import type { Floats } from '../floats';
import { activate, activationGrad, type ElementwiseKind } from './activations';

/** Slots of a layer's measurement in `stats`. */
export const Y_SUM = 0, Y_SQUARES = 1, Y_SATURATED = 2, DY_SQUARES = 3, MEASURE_SLOTS = 4;

// Saturated: the local derivative is below 6% of its maximum (GRADIENT-HEALTH.md, after
// Karpathy's makemore part 3: 1 − 0.97² ≈ 0.06) — |tanh| > 0.97, sigmoid outside [0.015, 0.985].
const SIGMOID_LOW = 0.015, SIGMOID_HIGH = 0.985, TANH_LIMIT = 0.97;
// The same limits on the derivative: σ′ = σ(1 − σ) < 0.015·0.985 when σ is outside
// [0.015, 0.985], tanh′ = 1 − tanh² < 1 − 0.97² when |tanh| > 0.97 (the two tests can only
// disagree within a few double ulps of a limit, closer than any float32 output gets).
const SIGMOID_SATURATED_SLOPE = SIGMOID_LOW * SIGMOID_HIGH, TANH_SATURATED_SLOPE = 1 - TANH_LIMIT * TANH_LIMIT;

/**
 * activate() over the first n values. Measures the outputs into stats[Y_SUM…Y_SATURATED],
 * except for sigmoid and tanh, whose backward does it (activationGradMeasured).
 */
export function activateMeasured(z: Floats, y: Floats, n: number, kind: ElementwiseKind, alpha: number, stats: Float64Array): void {
  if (kind === 'sigmoid' || kind === 'tanh') {
    activate(z, y, n, kind, alpha);
    return;
  }
  if (kind !== 'relu') {
    activate(z, y, n, kind, alpha);
    measureValues(y, n, kind, stats);
    return;
  }
  let sum = 0, squares = 0;
  for (let i = 0; i < n; i++) {
    const v = z[i], r = v > 0 ? v : 0;
    y[i] = r;
    sum += r; squares += r * r;
  }
  stats[Y_SUM] = sum;
  stats[Y_SQUARES] = squares;
  stats[Y_SATURATED] = 0; // relu does not saturate
}

/**
 * activationGrad() over the first n values, with Σdy² into stats[DY_SQUARES]; for sigmoid
 * and tanh also the output's sums (see activateMeasured).
 */
export function activationGradMeasured(
  z: Floats, y: Floats, dy: Floats, dz: Floats, n: number, kind: ElementwiseKind, alpha: number, stats: Float64Array,
): void {
  let sum = 0, squares = 0, saturated = 0, gradSquares = 0;
  switch (kind) {
    case 'relu':
      for (let i = 0; i < n; i++) {
        const g = dy[i];
        gradSquares += g * g;
        dz[i] = z[i] > 0 ? g : 0;
      }
      stats[DY_SQUARES] = gradSquares;
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const s = y[i], g = dy[i], slope = s * (1 - s);
        sum += s; squares += s * s; gradSquares += g * g;
        saturated += slope < SIGMOID_SATURATED_SLOPE ? 1 : 0;
        dz[i] = g * slope;
      }
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) {
        const t = y[i], g = dy[i], slope = 1 - t * t;
        sum += t; squares += t * t; gradSquares += g * g;
        saturated += slope < TANH_SATURATED_SLOPE ? 1 : 0;
        dz[i] = g * slope;
      }
      break;
    default:
      activationGrad(z, y, dy, dz, n, kind, alpha);
      measureGradient(dy, n, stats);
      return;
  }
  stats[Y_SUM] = sum;
  stats[Y_SQUARES] = squares;
  stats[Y_SATURATED] = saturated;
  stats[DY_SQUARES] = gradSquares;
}

/**
 * The forward measurement as its own pass, for outputs no fused kernel wrote (linear,
 * the rarer activations, normalisation and dropout layers). `kind` is the activation that
 * produced the values: only sigmoid and tanh saturate.
 */
export function measureValues(y: Floats, n: number, kind: ActivationKind | 'none', stats: Float64Array): void {
  const low = kind === 'sigmoid' ? SIGMOID_LOW : kind === 'tanh' ? -TANH_LIMIT : -Infinity;
  const high = kind === 'sigmoid' ? SIGMOID_HIGH : kind === 'tanh' ? TANH_LIMIT : Infinity;
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
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n4 = n - (n % 4);
  for (let i = 0; i < n4; i += 4) {
    const a = dy[i], b = dy[i + 1], c = dy[i + 2], d = dy[i + 3];
    s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d;
  }
  for (let i = n4; i < n; i++) s0 += dy[i] * dy[i];
  stats[DY_SQUARES] = s0 + s1 + s2 + s3;
}
