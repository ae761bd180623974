// What one activation kind declares, in one file under activations/: its words in the
// language (syntax, the `alpha=` option, docs), the traits the checker and the gradient-
// health analysis read, its kernels (forward and backward side by side, on flat arrays),
// and the options its finite-difference check covers. Registered in activations/index.ts.

import type { Floats } from '../engine/floats';

export interface ActivationTraits {
  /** Unbounded above and ~0 below, like relu: the default init before it is He (He et al. 2015). */
  reluFamily: boolean;
  /** Exactly zero (and flat) for every negative input: a unit whose input stays negative is dead. */
  canDie: boolean;
  /**
   * Bounded with flat tails: the output range outside which the local derivative is below 6%
   * of its maximum (docs/gradient-health.md); null when the activation does not saturate.
   */
  saturation: { low: number; high: number } | null;
  /**
   * Not differentiable at 0 with these options (relu; leaky_relu and elu unless alpha is 1,
   * where the two slopes meet), with an output whose sign is the input's: the gradient
   * check watches the side of 0 of every unit through it. Absent: smooth everywhere.
   */
  kinkAtZero?: (alpha: number) => boolean;
}

interface Common {
  name: string;
  syntax: string;
  /** One paragraph: what it computes, where it suits, which init pairs with it. */
  doc: string;
  /** The `alpha=` option, for kinds that take one. */
  alpha?: { default: number; doc: string };
  traits: ActivationTraits;
  /** The same function as a PyTorch module (`gradlens export`); `{alpha}` stands for the alpha value. */
  pytorch: string;
  /**
   * The finite-difference check (test/engine/gradients.test.ts) runs the kind fused into
   * `dense` and as a layer of its own, once per entry: the options written after the name
   * ('' for the defaults).
   */
  gradcheck: readonly string[];
}

/** y = f(z) value by value over the first n values; `y` may be `z` only for linear. */
export interface ElementwiseActivation extends Common {
  elementwise: true;
  forward(z: Floats, y: Floats, n: number, alpha: number): void;
  /** dz = dy ⊙ f′(z), from the saved input z and output y (whichever the formula needs). */
  backward(z: Floats, y: Floats, dy: Floats, dz: Floats, n: number, alpha: number): void;
  /**
   * Kernels with the layer's telemetry folded in (engine/kernels/measure.ts slots), where
   * that costs less than a pass of its own. `outputInBackward`: the backward measures the
   * outputs too (it reads y anyway), so the forward must not.
   */
  measured?: {
    forward?(z: Floats, y: Floats, n: number, alpha: number, stats: Float64Array): void;
    backward?(z: Floats, y: Floats, dy: Floats, dz: Floats, n: number, alpha: number, stats: Float64Array): void;
    outputInBackward?: boolean;
  };
}

/** Over each row of a [rows, cols] batch at once (softmax). */
export interface RowwiseActivation extends Common {
  elementwise: false;
  forward(z: Floats, y: Floats, rows: number, cols: number): void;
  /** dz = J_f(z)ᵀ·dy per row, from the output y. */
  backward(y: Floats, dy: Floats, dz: Floats, rows: number, cols: number): void;
}

export type ActivationDef = ElementwiseActivation | RowwiseActivation;

/** Keeps the literal types of a definition (its name, elementwise) for the registry's types. */
export function defineActivation<const D extends ActivationDef>(def: D): D {
  return def;
}
