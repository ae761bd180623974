// vanishing-gradient and exploding-gradient through time, on a recurrent layer's line.
// Back-propagation through time multiplies ∂L/∂h_t by the recurrent Jacobian once per step
// on its way from the last step to the first; when that gain sits below 1 the signal from
// early steps decays geometrically and the layer cannot learn long dependencies, above 1 it
// grows (Hochreiter 1991; Bengio, Simard & Frasconi 1994; Pascanu, Mikolov & Bengio 2013).
// The engine records ‖∂L/∂h_t‖ for every step (a by-product of BPTT); the rule compares the
// first step's with the last's — a ratio, so scaling the loss changes nothing — against the
// same vanishingRatio / explodingRatio as the gradient flow across layers. Vanishing also
// needs the decay to go on through the first half of the sequence (step 1 against step
// ⌈T/2⌉): a trained lstm loses most of the signal in its first steps back, through h, and then
// carries the rest unchanged through its cell (measured on lstm-adding.net: step 1 gets 0.02
// of step 50's signal, but as much as step 25's) — that is memory, not a vanishing gradient.
//
// Judged where the loss reaches only the last step (sequences=false): with sequences=true
// every step gets its own direct gradient and the profile says nothing about memory. A
// probe judges its few steps at initialisation, for `rnn` only: an lstm or gru starts with
// its gates half open, so its gradient decays at initialisation too (≈ 0.5 per step), but
// the gates learn to hold it — that is what they are for (Hochreiter & Schmidhuber 1997;
// Gers, Schmidhuber & Cummins 2000). A full run judges every cell on its latest
// `lossWindow` steps: what the layer carries now.

import type { StepFrame } from '../engine/telemetry';
import type { LeafLayer, NetworkSpec, Thresholds } from '../lang/spec';
import type { FixSuggestion } from '../lang/rewrites';
import type { LayerFinding } from './types';
import { formatNumber } from './format';
import { addClip } from './remedies';
import { isMost, median, statsOf } from './window';

type RecurrentLeaf = Extract<LeafLayer, { kind: 'rnn' | 'lstm' | 'gru' }>;

const VANISHING_EXPLANATION =
  'Back-propagation through time multiplies the gradient by the recurrent weights and the tanh slope once per time step; ' +
  'with a gain below 1 the signal from early steps fades geometrically, so the layer cannot learn what happened there. ' +
  'An lstm or gru carries its state through a gated path whose gain it can hold near 1.';

const EXPLODING_EXPLANATION =
  'Back-propagation through time multiplies the gradient by the recurrent weights once per time step; with a gain above 1 ' +
  'the gradient from early steps grows geometrically and steps become erratic. Clipping the gradient norm bounds each ' +
  'step (Pascanu et al. 2013); smaller recurrent weights lower the gain.';

interface TimeProfile {
  /** Median over the judged steps of ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖. */
  ratio: number;
  /** Median over the judged steps of ‖∂L/∂h_1‖ / ‖∂L/∂h_⌈T/2⌉‖. */
  firstHalf: number;
  /** Steps (of the judged ones) where that ratio is past the threshold. */
  flagged: number;
  of: number;
  /** How many of the last steps keep at least vanishingRatio of the last step's gradient (median profile). */
  reach: number;
  steps: number;
}

export function throughTime(spec: NetworkSpec, frames: readonly StepFrame[], thresholds: Thresholds, mode: 'probe' | 'run'): LayerFinding[] {
  const findings: LayerFinding[] = [];
  const window = mode === 'run' ? frames.slice(-thresholds.lossWindow) : frames;
  for (const leaf of spec.leaves) {
    if (leaf.kind !== 'rnn' && leaf.kind !== 'lstm' && leaf.kind !== 'gru') continue;
    if (leaf.sequences || leaf.steps < 2 || (mode === 'probe' && leaf.kind !== 'rnn')) continue;
    const vanishing = profile(window, leaf.index, thresholds, 'vanishing');
    if (vanishing) {
      findings.push(vanishingFinding(leaf, vanishing));
      continue;
    }
    const exploding = profile(window, leaf.index, thresholds, 'exploding');
    if (exploding) findings.push(explodingFinding(spec, leaf, exploding));
  }
  return findings;
}

function profile(window: readonly StepFrame[], index: number, thresholds: Thresholds, direction: 'vanishing' | 'exploding'): TimeProfile | undefined {
  const ratios: number[] = [];
  const halves: number[] = [];
  const relative: number[][] = [];
  let flagged = 0, steps = 0;
  for (const frame of window) {
    const norms = statsOf(frame, index)?.timeGradNorms;
    if (!norms || norms.length < 2 || !norms.every(Number.isFinite)) continue;
    const last = norms[norms.length - 1];
    if (!(last > 0)) continue;
    const ratio = norms[0] / last;
    const mid = norms[Math.ceil(norms.length / 2) - 1];
    const firstHalf = mid > 0 ? norms[0] / mid : 1;
    ratios.push(ratio);
    halves.push(firstHalf);
    relative.push(norms.map((n) => n / last));
    steps = norms.length;
    if (direction === 'vanishing' ? ratio < thresholds.vanishingRatio && firstHalf < thresholds.vanishingRatio : ratio > thresholds.explodingRatio) flagged++;
  }
  if (!isMost(flagged, window.length)) return undefined;
  const ratio = median(ratios), firstHalf = median(halves);
  if (direction === 'vanishing' ? !(ratio < thresholds.vanishingRatio && firstHalf < thresholds.vanishingRatio) : !(ratio > thresholds.explodingRatio)) return undefined;
  let reach = 0;
  for (let t = steps - 1; t >= 0; t--) {
    if (!(median(relative.map((r) => r[t])) >= thresholds.vanishingRatio)) break;
    reach++;
  }
  return { ratio, firstHalf, flagged, of: window.length, reach, steps };
}

function vanishingFinding(leaf: RecurrentLeaf, p: TimeProfile): LayerFinding {
  const fixes: FixSuggestion[] = leaf.kind === 'rnn'
    ? [{ kind: 'use-cell', layer: leaf.index, cell: 'lstm' }, { kind: 'use-cell', layer: leaf.index, cell: 'gru' }]
    : [];
  return {
    code: 'vanishing-gradient',
    severity: 'warning',
    layer: leaf.index,
    line: leaf.line,
    message:
      `Vanishing through time: the loss gets ${formatNumber(p.ratio)} of the signal from step 1 that it gets from step ${p.steps}: ` +
      `this layer cannot learn dependencies longer than ≈${p.reach} steps (in ${p.flagged} of ${p.of} steps)`,
    explanation: VANISHING_EXPLANATION,
    evidence: { firstToLast: p.ratio, firstToMiddle: p.firstHalf, reachSteps: p.reach, timeSteps: p.steps, steps: p.flagged, windowSteps: p.of },
    fixes,
  };
}

function explodingFinding(spec: NetworkSpec, leaf: RecurrentLeaf, p: TimeProfile): LayerFinding {
  // Half of PyTorch's default range ±1/√H, at two significant digits.
  const limit = Number((0.5 / Math.sqrt(leaf.hidden)).toPrecision(2));
  const smaller: FixSuggestion[] = leaf.init.kind === 'uniform' && leaf.init.high <= limit && -leaf.init.low <= limit ? [] : [{ kind: 'uniform-init', layer: leaf.index, limit }];
  return {
    code: 'exploding-gradient',
    severity: 'warning',
    layer: leaf.index,
    line: leaf.line,
    message:
      `Exploding through time: the gradient reaching step 1 is ${formatNumber(p.ratio)}× the one at step ${p.steps} ` +
      `(in ${p.flagged} of ${p.of} steps)`,
    explanation: EXPLODING_EXPLANATION,
    evidence: { firstToLast: p.ratio, timeSteps: p.steps, steps: p.flagged, windowSteps: p.of },
    fixes: [...addClip(spec), ...smaller],
  };
}
