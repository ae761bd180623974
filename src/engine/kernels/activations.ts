// The activation kernels as the ops call them: the fused bias + activation forward of a
// layer with weights, and the local-derivative backward, on flat row-major [rows, cols]
// arrays. The loops themselves live with each kind (src/kinds/activations/); a call here
// picks the kind's kernel once per pass, never per value.

import type { Floats } from '../floats';
import { ACTIVATIONS, type ElementwiseKind } from '../../kinds/activations';

export type { ElementwiseKind };

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
  ACTIVATIONS[kind].forward(z, y, n, alpha);
}

/** dz = dy ⊙ f′(z), using the saved input z and output y (whichever the formula needs). */
export function activationGrad(
  z: Floats, y: Floats, dy: Floats, dz: Floats, n: number, kind: ElementwiseKind, alpha: number,
): void {
  ACTIVATIONS[kind].backward(z, y, dy, dz, n, alpha);
}

/** σ(v) without overflow, for ops that need one value (gates); loops inline it instead. */
export function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** y[rows, cols] = softmax of each row of z (max-shifted). */
export function softmaxRows(z: Floats, y: Floats, rows: number, cols: number): void {
  ACTIVATIONS.softmax.forward(z, y, rows, cols);
}

/** dz = y ⊙ (dy − Σⱼ dyⱼ·yⱼ) per row: the softmax Jacobian-vector product. */
export function softmaxRowsGrad(y: Floats, dy: Floats, dz: Floats, rows: number, cols: number): void {
  ACTIVATIONS.softmax.backward(y, dy, dz, rows, cols);
}
