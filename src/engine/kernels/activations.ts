// Element-wise activations: the fused bias + activation forward of a dense layer and
// the local-derivative backward, on flat row-major [rows, cols] arrays. One loop per
// kind (the switch sits outside the loop). Formulas follow PyTorch: relu'(0) = 0,
// elu'(z≤0) = y + α, gelu is the exact erf form, softplus = log(1 + eᶻ) computed stably.

import type { ActivationKind } from '../../lang/spec';
import type { Floats } from '../floats';
import { normalCdfs } from './erf';

const INV_SQRT_2PI = 0.3989422804014327;

/** Element-wise kinds; softmax is row-wise and lives in its own kernels below. */
export type ElementwiseKind = Exclude<ActivationKind, 'softmax'>;

/**
 * z[rows, cols] += bias[cols] (when given), then y = f(z) — one pass over the output.
 * `y` may be `z` itself for `linear`.
 */
export function biasActivate(
  z: Floats, bias: Floats | null, y: Floats, rows: number, cols: number, kind: ElementwiseKind, alpha: number,
): void {
  if (bias !== null) addBias(z, bias, rows, cols);
  activate(z, y, rows * cols, kind, alpha);
}

/** z[rows, cols] += bias[cols]. */
export function addBias(z: Floats, bias: Floats, rows: number, cols: number): void {
  for (let i = 0, o = 0; i < rows; i++) for (let j = 0; j < cols; j++, o++) z[o] += bias[j];
}

/** y = f(z) over the first n values. */
export function activate(z: Floats, y: Floats, n: number, kind: ElementwiseKind, alpha: number): void {
  switch (kind) {
    case 'linear':
      if (y !== z) for (let i = 0; i < n; i++) y[i] = z[i];
      return;
    case 'relu':
      for (let i = 0; i < n; i++) { const v = z[i]; y[i] = v > 0 ? v : 0; }
      return;
    case 'leaky_relu':
      for (let i = 0; i < n; i++) { const v = z[i]; y[i] = v > 0 ? v : alpha * v; }
      return;
    case 'elu':
      for (let i = 0; i < n; i++) { const v = z[i]; y[i] = v > 0 ? v : alpha * Math.expm1(v); }
      return;
    case 'gelu':
      normalCdfs(z, y, n);
      for (let i = 0; i < n; i++) y[i] *= z[i];
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) y[i] = Math.tanh(z[i]);
      return;
    case 'sigmoid':
      // Inline rather than sigmoid(): a float through a call V8 does not inline is boxed.
      for (let i = 0; i < n; i++) {
        const v = z[i];
        if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
        else { const e = Math.exp(v); y[i] = e / (1 + e); }
      }
      return;
    case 'softplus':
      for (let i = 0; i < n; i++) { const v = z[i]; y[i] = (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v))); }
      return;
  }
}

/** dz = dy ⊙ f′(z), using the saved input z and output y (whichever the formula needs). */
export function activationGrad(
  z: Floats, y: Floats, dy: Floats, dz: Floats, n: number, kind: ElementwiseKind, alpha: number,
): void {
  switch (kind) {
    case 'linear':
      if (dz !== dy) for (let i = 0; i < n; i++) dz[i] = dy[i];
      return;
    case 'relu':
      for (let i = 0; i < n; i++) dz[i] = z[i] > 0 ? dy[i] : 0;
      return;
    case 'leaky_relu':
      for (let i = 0; i < n; i++) dz[i] = z[i] > 0 ? dy[i] : alpha * dy[i];
      return;
    case 'elu':
      for (let i = 0; i < n; i++) dz[i] = z[i] > 0 ? dy[i] : dy[i] * (y[i] + alpha);
      return;
    case 'gelu':
      // gelu′(z) = Φ(z) + z·φ(z); dz holds Φ(z) first (it is never dy's buffer here).
      normalCdfs(z, dz, n);
      for (let i = 0; i < n; i++) {
        const v = z[i];
        dz[i] = dy[i] * (dz[i] + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
      }
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) { const t = y[i]; dz[i] = dy[i] * (1 - t * t); }
      return;
    case 'sigmoid':
      // dy·(σ(1 − σ)), grouped as the measured kernel groups it: telemetry must not change training.
      for (let i = 0; i < n; i++) { const s = y[i]; dz[i] = dy[i] * (s * (1 - s)); }
      return;
    case 'softplus':
      for (let i = 0; i < n; i++) {
        const v = z[i];
        let s: number;
        if (v >= 0) s = 1 / (1 + Math.exp(-v));
        else { const e = Math.exp(v); s = e / (1 + e); }
        dz[i] = dy[i] * s;
      }
      return;
  }
}

export function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** y[rows, cols] = softmax of each row of z (max-shifted). */
export function softmaxRows(z: Floats, y: Floats, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (z[o + j] > max) max = z[o + j];
    let sum = 0;
    for (let j = 0; j < cols; j++) { const e = Math.exp(z[o + j] - max); y[o + j] = e; sum += e; }
    const inv = 1 / sum;
    for (let j = 0; j < cols; j++) y[o + j] *= inv;
  }
}

/** dz = y ⊙ (dy − Σⱼ dyⱼ·yⱼ) per row: the softmax Jacobian-vector product. */
export function softmaxRowsGrad(y: Floats, dy: Floats, dz: Floats, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += dy[o + j] * y[o + j];
    for (let j = 0; j < cols; j++) dz[o + j] = y[o + j] * (dy[o + j] - dot);
  }
}
