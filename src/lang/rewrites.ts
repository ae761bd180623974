// Fixes the gradient-health analysis can suggest, as intent. `src/lang/fixes.ts` turns an
// intent into text edits on the parsed document (it knows where each token is); the
// analysis only knows layers and numbers.

export type FixSuggestion =
  /** Replace a layer's saturating activation, and set its init (e.g. relu + he). */
  | { kind: 'use-activation'; layer: number; activation: 'relu' | 'gelu'; init: 'he' }
  /** Set a layer's `init=`. */
  | { kind: 'use-init'; layer: number; init: 'he' | 'xavier' | 'lecun' }
  /** Set the matched init on several layers at once (every layer whose init scale makes the signal grow or shrink through depth); `std` is what it gives at the layer's fans. */
  | { kind: 'use-inits'; layers: { layer: number; init: 'he' | 'xavier' | 'lecun'; std: number }[] }
  /** Insert a `layernorm` statement after the layer. */
  | { kind: 'insert-layernorm'; layer: number }
  /** Wrap the statements declaring layers `from..to` (leaf indices, inclusive) in `residual { }`. */
  | { kind: 'wrap-residual'; from: number; to: number }
  /** Set the optimizer's `lr=`. */
  | { kind: 'set-lr'; lr: number }
  /** Add `clip=` to the optimizer. */
  | { kind: 'add-clip'; clip: number }
  /** Standardise a CSV's features (`normalize=true` on the `data` statement). */
  | { kind: 'normalize-data' }
  /** Remove a `softmax` layer that precedes `cross_entropy`. */
  | { kind: 'remove-softmax'; layer: number }
  /** Turn an `rnn` layer into an `lstm` or `gru` of the same size (its options kept). */
  | { kind: 'use-cell'; layer: number; cell: 'lstm' | 'gru' }
  /** Move the activation fused into the layer before each of these norm layers to after it (`dense 32 relu` · `layernorm` → `dense 32` · `layernorm` · `relu`). */
  | { kind: 'norm-before-activation'; layers: number[] }
  /** Set the width (units, or a convolution's channels) of these layers to `width`. */
  | { kind: 'widen'; layers: number[]; width: number }
  /** Set a recurrent layer's `init=uniform(-limit, limit)`. */
  | { kind: 'uniform-init'; layer: number; limit: number };
