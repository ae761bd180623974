// update-ratio-low / update-ratio-high: how far each step moves a layer's weights relative
// to their size, ‖ΔW‖/‖W‖. Karpathy (CS231n notes; makemore part 3) puts a healthy value near
// 1e-3: far below, the layer is not learning; far above, it is overwritten every few steps.
// The ratio is scale-free (a ratio of two norms of the same tensor). Only reported where
// vanishing/exploding gradients do not already explain it.

import type { StepFrame } from '../engine/telemetry';
import type { NetworkSpec, Thresholds } from '../lang/spec';
import type { LayerFinding } from './types';
import { formatNumber } from './format';
import { hasParams } from './network';
import { lrFromFirstStep } from './remedies';
import { isMost, log10UpdateRatio, median, statsOf } from './window';
import { type EpisodeVerdict, type Span, headline, spanEvidence, spanLength } from './episodes';
import type { ValuePayload } from './run-history';

export const LOW_EXPLANATION =
  'Each step changes this layer\'s weights by a tiny fraction of their size (healthy is about 1e-3), so it learns very slowly. ' +
  'A larger learning rate usually fixes it.';

export const HIGH_EXPLANATION =
  'Each step changes this layer\'s weights by a large fraction of their size (healthy is about 1e-3), so training is unstable. ' +
  'A smaller learning rate usually fixes it.';

/** The steps the update ratio is judged on: a probe's window, or (run mode) each layer's low and high episodes. */
export type RatioJudgement =
  | { mode: 'probe'; window: StepFrame[] }
  | { mode: 'run'; low: Map<number, EpisodeVerdict<ValuePayload, undefined>>; high: Map<number, EpisodeVerdict<ValuePayload, undefined>> };

interface RatioVerdict {
  low: boolean;
  steps: number;
  of: number;
  /** Median log10 update ratio. */
  typical: number;
  frames: StepFrame[];
  span?: Span;
}

function probeVerdict(window: StepFrame[], index: number, thresholds: Thresholds, explained: { vanishing: Set<number>; exploding: Set<number> }): RatioVerdict | undefined {
  const logs: number[] = [];
  let low = 0;
  let high = 0;
  for (const frame of window) {
    const stats = statsOf(frame, index);
    const log = stats && log10UpdateRatio(stats);
    if (log === undefined || Number.isNaN(log)) continue;
    logs.push(log);
    if (log < thresholds.updateRatioLow) low++;
    if (log > thresholds.updateRatioHigh) high++;
  }
  const lowFlag = isMost(low, window.length) && !explained.vanishing.has(index);
  const highFlag = isMost(high, window.length) && !explained.exploding.has(index);
  if (!lowFlag && !highFlag) return undefined;
  return { low: lowFlag, steps: lowFlag ? low : high, of: window.length, typical: median(logs), frames: window };
}

function runVerdict(judged: Extract<RatioJudgement, { mode: 'run' }>, index: number, explained: { vanishing: Set<number>; exploding: Set<number> }): RatioVerdict | undefined {
  const low = explained.vanishing.has(index) ? undefined : judged.low.get(index);
  const episode = low ?? (explained.exploding.has(index) ? undefined : judged.high.get(index));
  if (!episode) return undefined;
  return {
    low: episode === low,
    steps: episode.span.flagged,
    of: spanLength(episode.span),
    typical: median(episode.samples.map((p) => p.value)),
    frames: episode.samples.map((p) => p.frame),
    span: episode.span,
  };
}

export function updateRatio(
  spec: NetworkSpec,
  judged: RatioJudgement,
  thresholds: Thresholds,
  explained: { vanishing: Set<number>; exploding: Set<number> },
  lrLimit: number,
): LayerFinding[] {
  const findings: LayerFinding[] = [];
  for (const leaf of spec.leaves) {
    if (!hasParams(leaf)) continue;
    const v = judged.mode === 'probe' ? probeVerdict(judged.window, leaf.index, thresholds, explained) : runVerdict(judged, leaf.index, explained);
    if (!v) continue;
    const ratio = 10 ** v.typical;
    const value = `‖ΔW‖/‖W‖ ${formatNumber(ratio)} (healthy ≈ 1e-3)`;
    findings.push({
      code: v.low ? 'update-ratio-low' : 'update-ratio-high',
      severity: 'warning',
      layer: leaf.index,
      line: leaf.line,
      message: `${v.span ? headline('Update ratio', v.span) : 'Update ratio '}${value}, in ${v.steps} of ${v.of} steps`,
      explanation: v.low ? LOW_EXPLANATION : HIGH_EXPLANATION,
      evidence: { updateRatio: ratio, log10UpdateRatio: v.typical, steps: v.steps, windowSteps: v.of, ...(v.span ? spanEvidence(v.span) : {}) },
      // The lr that moves the ratio to 1e-3, within lrLimit (see analyze).
      fixes: lrFromFirstStep(spec, v.frames, v.low ? 'raise' : 'lower', lrLimit),
    });
  }
  return findings;
}
