// Every activation kind, one registration line each. Everything else — the vocabulary,
// checker, completion, hover, grammar test, kernels, telemetry, analysis and the
// finite-difference test — reads this table; a kind's name is its key.

import type { ActivationDef, ElementwiseActivation } from '../activation';
import { elu } from './elu';
import { gelu } from './gelu';
import { leaky_relu } from './leaky_relu';
import { linear } from './linear';
import { mish } from './mish';
import { relu } from './relu';
import { sigmoid } from './sigmoid';
import { softmax } from './softmax';
import { softplus } from './softplus';
import { swish } from './swish';
import { tanh } from './tanh';

export const ACTIVATIONS = registry({
  relu,
  leaky_relu,
  elu,
  gelu,
  swish,
  mish,
  tanh,
  sigmoid,
  softplus,
  linear,
  softmax,
});

/** Each definition under the name it declares, so a kind cannot be registered under another. */
function registry<T extends { [K in keyof T]: ActivationDef & { name: K } }>(defs: T): T {
  return defs;
}

export type ActivationKind = keyof typeof ACTIVATIONS;

/** The kinds applied value by value (all but softmax): the ones `dense` fuses. */
export type ElementwiseKind = { [K in ActivationKind]: (typeof ACTIVATIONS)[K] extends ElementwiseActivation ? K : never }[ActivationKind];

export const ACTIVATION_KINDS = Object.keys(ACTIVATIONS) as ActivationKind[];

/** Every definition in registration order, as the common interface. */
export const ACTIVATION_LIST: readonly ActivationDef[] = Object.values(ACTIVATIONS);

export function isActivationKind(word: string): word is ActivationKind {
  return Object.hasOwn(ACTIVATIONS, word);
}

/** A kind's definition, as the common interface (for fields only some kinds have, like `alpha`). */
export function activationDef(kind: ActivationKind): ActivationDef {
  return ACTIVATIONS[kind];
}

/** The alpha a kind runs with when none is written: its `alpha=` default, 0 for kinds without one. */
export function defaultAlpha(kind: ActivationKind): number {
  return activationDef(kind).alpha?.default ?? 0;
}
