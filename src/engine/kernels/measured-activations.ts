// The activation kernels with a layer's telemetry folded in: Σy, Σy² and the saturated
// count of the output, and Σdy² of its gradient, into `stats` (measure.ts slots). A kind
// with `measured` kernels measures inside its own loops, where that was measured to cost
// least (relu in both passes, sigmoid and tanh in the backward); the others run their
// plain kernels, then the measuring passes.

import type { Floats } from '../floats';
import type { ActivationDef, ElementwiseActivation } from '../../kinds/activation';
import { ACTIVATIONS, type ActivationKind, type ElementwiseKind } from '../../kinds/activations';
import { measureGradient, measureOutputs } from './measure';

export { DY_SQUARES, MEASURE_SLOTS, measureGradient, Y_SATURATED, Y_SQUARES, Y_SUM } from './measure';

/** activate() over the first n values, measuring the outputs unless the kind's backward does. */
export function activateMeasured(z: Floats, y: Floats, n: number, kind: ElementwiseKind, alpha: number, stats: Float64Array): void {
  const def: ElementwiseActivation = ACTIVATIONS[kind];
  const measured = def.measured;
  if (measured?.forward !== undefined) return measured.forward(z, y, n, alpha, stats);
  def.forward(z, y, n, alpha);
  if (measured?.outputInBackward !== true) measureOutputs(y, n, def.traits.saturation, stats);
}

/** activationGrad() over the first n values, with Σdy² into stats (and the outputs' sums when the kind measures them here). */
export function activationGradMeasured(
  z: Floats, y: Floats, dy: Floats, dz: Floats, n: number, kind: ElementwiseKind, alpha: number, stats: Float64Array,
): void {
  const def: ElementwiseActivation = ACTIVATIONS[kind];
  const measured = def.measured;
  if (measured?.backward !== undefined) return measured.backward(z, y, dy, dz, n, alpha, stats);
  def.backward(z, y, dy, dz, n, alpha);
  measureGradient(dy, n, stats);
}

/** Whether the kind's measured backward also measures the outputs (so a forward pass must not). */
export function measuresOutputInBackward(kind: ActivationKind): boolean {
  const def: ActivationDef = ACTIVATIONS[kind];
  return def.elementwise && def.measured?.outputInBackward === true;
}

/**
 * The forward measurement as its own pass, for outputs no fused kernel wrote (linear,
 * the rarer activations, normalisation and dropout layers). `kind` is the activation that
 * produced the values; its traits say whether and where it saturates.
 */
export function measureValues(y: Floats, n: number, kind: ActivationKind | 'none', stats: Float64Array): void {
  measureOutputs(y, n, kind === 'none' ? null : ACTIVATIONS[kind].traits.saturation, stats);
}
