// How many values the engine holds to train one batch: every layer keeps its outputs and
// their gradients for the batch, a convolution its unfolded windows (im2col) and a
// recurrent layer every time step's gates for back-propagation through time. A file whose
// one step needs more than the limit is refused while typing (`too-many-activations`)
// instead of the engine asking for gigabytes, or for an array no engine can allocate
// (an lstm 256 over 10,000 steps in full batches of 800 is 35 billion values).

import { kindOf } from '../kinds/layers';
import type { Reporter } from './report';
import type { LeafLayer } from './spec';

/** 2^28 values: 1 GiB in float32, 2 GiB in float64 (the gradient check). */
export const MAX_BATCH_VALUES = 2 ** 28;

/** Values the engine's op for this layer allocates per example (its kind's estimate, src/kinds/layers/). */
export function valuesPerExample(leaf: LeafLayer): number {
  return kindOf(leaf).valuesPerExample(leaf);
}

/** Refuses a network whose one training step on `batch` examples needs more than MAX_BATCH_VALUES values. */
export function checkWorkingSet(leaves: readonly LeafLayer[], batch: number, r: Reporter): void {
  if (leaves.length === 0 || batch < 1) return;
  let perExample = 0;
  let worst = leaves[0];
  let worstValues = -1;
  for (const leaf of leaves) {
    const values = valuesPerExample(leaf);
    perExample += values;
    if (values > worstValues) {
      worst = leaf;
      worstValues = values;
    }
  }
  const total = perExample * batch;
  if (total <= MAX_BATCH_VALUES) return;
  const fits = Math.floor(MAX_BATCH_VALUES / perExample);
  const fmt = (n: number) => (n < 1e15 ? Math.round(n).toLocaleString('en-US') : n.toExponential(1));
  const remedy = fits >= 1
    ? `train on smaller batches (\`train batch=${fits}\` or fewer)`
    : `one example alone is over it: make \`${worst.name}\` smaller${'steps' in worst ? ' or the sequence shorter' : ''}`;
  r.error('too-many-activations',
    `One training step holds about ${fmt(total)} values (${fmt(perExample)} per example × a batch of ${fmt(batch)}; the most in \`${worst.name}\`), over the limit of ${fmt(MAX_BATCH_VALUES)}: ${remedy}.`,
    { start: worst.range.start, end: worst.range.start.line === worst.range.end.line ? worst.range.end : worst.range.start });
}
