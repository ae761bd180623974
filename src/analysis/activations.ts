// dead-relu and saturated-activation: what the layer's units output, not its gradients.
// A ReLU unit that outputs 0 for every example passes no gradient to its weights and may
// never come back (CS231n: "as much as 40% of your network can be dead"). A sigmoid or tanh
// unit in its flat region passes less than 6% of its maximal derivative (Karpathy,
// makemore part 3: |tanh| > 0.97). Both are fractions, so scale-free by construction.

import type { StepFrame } from '../engine/telemetry';
import type { LeafLayer, NetworkSpec, Thresholds } from '../lang/spec';
import type { LayerFinding } from './types';
import { formatPercent } from './format';
import { activationOf, initName, isDeadable, isFusedWithLoss, isSaturating, weightsFeeding } from './network';
import { distinct, lrFromFirstStep, normaliseBeforeActivation, normaliseData, replaceSaturating, useInit } from './remedies';
import { isMost, log10UpdateRatio, median, statsOf } from './window';
import { type EpisodeVerdict, type Span, headline, spanEvidence, spanLength } from './episodes';
import type { ValuePayload } from './run-history';

export const DEAD_RELU_EXPLANATION =
  'A ReLU unit that outputs 0 for every example gets no gradient, so its weights never change and it stays dead. ' +
  'He init, a lower learning rate (a large step can push units dead) or an activation without a flat zero region (gelu) avoid it.';

export const SATURATED_EXPLANATION =
  'In its flat region a sigmoid or tanh unit passes almost no gradient (derivative below 6% of its maximum), so the layers before it stop learning. ' +
  'A variance-preserving init (Xavier) keeps inputs in the responsive range; relu/gelu with He init has no flat region.';

/** The steps a fraction rule is judged on: a probe's window, or (run mode) each leaf's episode. */
export type StepJudgement = { mode: 'probe'; window: StepFrame[] } | { mode: 'run'; episodes: Map<number, EpisodeVerdict<ValuePayload, undefined>> };

/** A leaf's flagged steps among the steps judged, the values behind them, and the frames (for the fixes). */
export interface Share {
  steps: number;
  of: number;
  values: number[];
  frames: StepFrame[];
  span?: Span;
}

function shareOver(window: StepFrame[], index: number, read: (s: NonNullable<ReturnType<typeof statsOf>>) => number, threshold: number): Share {
  const values: number[] = [];
  let steps = 0;
  for (const frame of window) {
    const stats = statsOf(frame, index);
    if (!stats || !Number.isFinite(read(stats))) continue;
    values.push(read(stats));
    if (read(stats) > threshold) steps++;
  }
  return { steps, of: window.length, values, frames: window };
}

/** A leaf's share that holds for most steps: over the probe's window, or its episode in a run. */
export function flaggedShare(judged: StepJudgement, index: number, read: (s: NonNullable<ReturnType<typeof statsOf>>) => number, threshold: number): Share | undefined {
  if (judged.mode === 'run') {
    const episode = judged.episodes.get(index);
    if (!episode) return undefined;
    const { span, samples } = episode;
    return { steps: span.flagged, of: spanLength(span), values: samples.map((p) => p.value), frames: samples.map((p) => p.frame), span };
  }
  const share = shareOver(judged.window, index, read, threshold);
  return isMost(share.steps, share.of) ? share : undefined;
}

export function deadRelu(spec: NetworkSpec, judged: StepJudgement, thresholds: Thresholds, lrLimit: number): LayerFinding[] {
  const findings: LayerFinding[] = [];
  for (const leaf of spec.leaves) {
    if (!isDeadable(activationOf(leaf))) continue;
    const share = flaggedShare(judged, leaf.index, (s) => s.deadFraction, thresholds.deadFraction);
    if (!share) continue;
    const fraction = median(share.values);
    const dense = weightsFeeding(spec, leaf);
    findings.push({
      code: 'dead-relu',
      severity: 'warning',
      layer: leaf.index,
      line: leaf.line,
      message: `${headline('Dead ReLU', share.span)}${formatPercent(fraction)} of units output 0 for every example, in ${share.steps} of ${share.of} steps`,
      explanation: DEAD_RELU_EXPLANATION,
      evidence: { deadFraction: fraction, steps: share.steps, windowSteps: share.of, ...(share.span ? spanEvidence(share.span) : {}) },
      related: dense && dense.line !== leaf.line
        ? [{ line: dense.line, message: `${dense.name} feeds these units (init ${initName(dense.init)}).` }]
        : undefined,
      fixes: distinct([
        ...useInit(dense, 'he'),
        { kind: 'use-activation' as const, layer: leaf.index, activation: 'gelu' as const, init: 'he' as const },
        // A smaller lr only revives units that large steps pushed dead; units dead from the
        // init stay dead at any lr (measured: ÷10 leaves the flag there).
        ...(dense && Math.max(...stepLogs(share.frames, dense.index)) > thresholds.updateRatioHigh ? lrFromFirstStep(spec, share.frames, 'lower', lrLimit) : []),
      ]),
    });
  }
  return findings;
}

export function saturatedActivation(spec: NetworkSpec, judged: StepJudgement, thresholds: Thresholds): LayerFinding[] {
  const findings: LayerFinding[] = [];
  for (const leaf of spec.leaves) {
    const activation = activationOf(leaf);
    if (!isSaturating(activation) || isFusedWithLoss(spec, leaf)) continue;
    const share = flaggedShare(judged, leaf.index, (s) => s.saturatedFraction, thresholds.saturatedFraction);
    if (!share) continue;
    const fraction = median(share.values);
    const dense = weightsFeeding(spec, leaf);
    findings.push({
      code: 'saturated-activation',
      severity: 'warning',
      layer: leaf.index,
      line: leaf.line,
      message: `${headline(`Saturated ${activation}`, share.span)}${formatPercent(fraction)} of unit-activations in the flat region, in ${share.steps} of ${share.of} steps`,
      explanation: SATURATED_EXPLANATION,
      evidence: { saturatedFraction: fraction, steps: share.steps, windowSteps: share.of, ...(share.span ? spanEvidence(share.span) : {}) },
      related: dense && dense.line !== leaf.line
        ? [{ line: dense.line, message: `${dense.name} computes this activation's input (init ${initName(dense.init)}).` }]
        : undefined,
      fixes: distinct([
        // The first layer's pre-activations are the raw features × W: standardising the data fixes it.
        ...(dense?.index === 0 ? normaliseData(spec) : []),
        // Xavier keeps the pre-activations in the responsive range at init; steps over 10% of
        // the weights push them back out within the probe (measured at lr=100), so then no init fix.
        ...(dense && dense.init.kind !== 'lecun' && !(Math.max(...stepLogs(share.frames, dense.index)) > thresholds.updateRatioHigh) ? useInit(dense, 'xavier') : []),
        ...replaceSaturating(spec, dense ?? leaf, ['relu', 'gelu']),
        // Normalise what enters the activation — only possible when it is a standalone layer.
        ...normaliseBeforeActivation(spec, leaf),
      ]),
    });
  }
  return findings;
}

/** A layer's finite log10 update ratios over the window. */
function stepLogs(window: StepFrame[], index: number): number[] {
  return window.flatMap((frame) => {
    const stats = statsOf(frame, index);
    const log = stats && log10UpdateRatio(stats);
    return log !== undefined && Number.isFinite(log) ? [log] : [];
  });
}
