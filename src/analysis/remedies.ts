// The quick fixes the analysis proposes, as intents (src/lang/rewrites.ts). Each builder
// returns nothing when the fix would not change the file (the init is already the one it
// would set, a clip is already there), so no finding offers a no-op.

import type { LeafLayer, NetworkSpec } from '../lang/spec';
import type { FixSuggestion } from '../lang/rewrites';
import { activationAfter, hasClip, isSaturating, learningRate, matchedInit, topLevelLeafIndices } from './network';

/** A learning rate rounded to one significant digit, so the edit reads `lr=0.003`, not `lr=0.0031622`. */
export function roundLr(lr: number): number {
  return Number(lr.toPrecision(1));
}

/** Scale the optimizer's lr; nothing when the result would not differ or is not a usable number. */
export function scaleLr(spec: NetworkSpec, factor: number): FixSuggestion[] {
  const lr = roundLr(learningRate(spec) * factor);
  if (!(lr > 0) || !Number.isFinite(lr) || lr === learningRate(spec)) return [];
  return [{ kind: 'set-lr', lr }];
}

export function addClip(spec: NetworkSpec): FixSuggestion[] {
  return hasClip(spec) ? [] : [{ kind: 'add-clip', clip: 1 }];
}

/** Set a dense layer's init, unless it already has it. */
export function useInit(leaf: LeafLayer | undefined, init: 'he' | 'xavier' | 'lecun'): FixSuggestion[] {
  if (!leaf || leaf.kind !== 'dense' || leaf.init.kind === init) return [];
  return [{ kind: 'use-init', layer: leaf.index, init }];
}

/** The init matched to the activation that follows a dense layer (He for ReLU-like, Xavier otherwise). */
export function useMatchedInit(spec: NetworkSpec, leaf: LeafLayer | undefined): FixSuggestion[] {
  if (!leaf || leaf.kind !== 'dense') return [];
  const after = activationAfter(spec, leaf);
  return useInit(leaf, matchedInit(after ? after.activation : 'linear'));
}

/** Replace the saturating activation that follows a dense layer (fused or standalone) with relu/gelu + He. */
export function replaceSaturating(spec: NetworkSpec, leaf: LeafLayer, with_: ('relu' | 'gelu')[]): FixSuggestion[] {
  const after = activationAfter(spec, leaf);
  if (!after || !isSaturating(after.activation)) return [];
  return with_.map((activation) => ({ kind: 'use-activation', layer: after.leaf.index, activation, init: 'he' }));
}

/** Insert a layernorm after a leaf, unless a normalisation layer already follows it. */
export function insertLayerNorm(spec: NetworkSpec, afterIndex: number): FixSuggestion[] {
  if (afterIndex < 0 || afterIndex >= spec.leaves.length) return [];
  const next = spec.leaves[afterIndex + 1];
  if (next && (next.kind === 'layernorm' || next.kind === 'batchnorm')) return [];
  return [{ kind: 'insert-layernorm', layer: afterIndex }];
}

/**
 * Wrap leaves from..to in `residual { }` — only when they are consecutive top-level statements
 * and the run keeps the width (a residual block must: y = x + block(x)).
 */
export function wrapResidual(spec: NetworkSpec, from: number, to: number): FixSuggestion[] {
  const first = spec.leaves[from];
  const last = spec.leaves[to];
  if (!first || !last || first.inputWidth !== last.outputWidth) return [];
  const top = topLevelLeafIndices(spec);
  for (let i = from; i <= to; i++) if (!top.has(i)) return [];
  return [{ kind: 'wrap-residual', from, to }];
}

/** Keep the first of equal suggestions (two rules may propose the same edit). */
export function distinct(fixes: FixSuggestion[]): FixSuggestion[] {
  const seen = new Set<string>();
  return fixes.filter((fix) => {
    const key = JSON.stringify(fix);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
