// The error function to double precision, for the exact (erf) form of GELU.

// |x| < 2.2: the everywhere-positive series erf x = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(2n+1)!!
// (Abramowitz & Stegun 7.1.6), which has no cancellation. |x| ≥ 2.2: the continued
// fraction for erfc (A&S 7.1.14), evaluated bottom-up; it needs about 200/x² + 8 levels
// for full double precision (measured against 400 levels), so the depth follows x and
// both branches cost ≤ ~55 steps. Checked against a libm erf on a 0.01 grid over [0, 6):
// see kernels.test.ts.

import type { Floats } from '../floats';

/** Where the series hands over to the continued fraction. */
const SWITCH = 2.2;

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

export function erf(x: number): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax >= SWITCH) {
    const value = 1 - erfcLarge(ax);
    return x < 0 ? -value : value;
  }
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 0; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) = 1 − erf(x), accurate in relative terms for large positive x too. */
export function erfc(x: number): number {
  if (x >= SWITCH) return erfcLarge(x);
  return 1 - erf(x);
}

/** erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), for x ≥ SWITCH. */
function erfcLarge(x: number): number {
  if (x === Infinity) return 0;
  let tail = x;
  for (let n = Math.ceil(220 / (x * x)) + 10; n >= 1; n--) tail = x + n / 2 / tail;
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / tail;
}

/** Standard normal CDF Φ(z) = ½·erfc(−z/√2), precise in both tails. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z * Math.SQRT1_2);
}

/**
 * phi[i] = Φ(z[i]) for the first n values: the same algorithm as `normalCdf`, written
 * out inside one loop. Calling the scalar version per element would box a float
 * argument and result on every call V8 does not inline (an allocation per value).
 */
export function normalCdfs(z: Floats, phi: Floats, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = -z[i] * Math.SQRT1_2; // Φ(z) = ½·erfc(x)
    const ax = x < 0 ? -x : x;
    let e = 0; // erfc(x); NaN flows through the series branch, ±∞ through the fraction
    if (ax >= SWITCH) {
      let tail = ax;
      for (let k = Math.ceil(220 / (ax * ax)) + 10; k >= 1; k--) tail = ax + k / 2 / tail;
      const small = (ONE_OVER_SQRT_PI * Math.exp(-ax * ax)) / tail;
      e = x > 0 ? small : 2 - small;
    } else {
      const x2 = x * x;
      let term = x, sum = x;
      for (let k = 0; k < 200; k++) {
        term *= (2 * x2) / (2 * k + 3);
        sum += term;
        if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
      }
      e = 1 - TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }
    phi[i] = 0.5 * e;
  }
}
