// The default init of a layer's weight matrix, decided here for every kind with one (dense,
// conv2d, conv1d); the analysis's "matched init" is the same rule. He before the ReLU family
// keeps the variance of activations constant through rectifiers (He et al. 2015); Xavier
// does the same for activations near-linear at 0 (Glorot & Bengio 2010).

import type { InitSpec } from '../lang/spec';
import { ACTIVATIONS, type ActivationKind } from './activations';

/** The init that suits an activation: `he` for the ReLU family, `xavier` otherwise. */
export function matchedInit(activation: ActivationKind): 'he' | 'xavier' {
  return ACTIVATIONS[activation].traits.reluFamily ? 'he' : 'xavier';
}

/**
 * A weight layer's init: the written one, else the one matched to the activation that
 * follows its affine map — its own fused activation, or, when that is linear, an activation
 * layer right after it (`next`).
 */
export function weightInit(written: InitSpec | undefined, own: ActivationKind, next: ActivationKind | undefined): InitSpec {
  if (written) return written;
  return { kind: matchedInit(own === 'linear' && next !== undefined ? next : own) };
}

/** weightInit's default in words: the `init=` option's default and the kinds' docs say it so. */
export const WEIGHT_INIT_DEFAULT_TEXT = 'he before a ReLU-family activation, xavier otherwise';
