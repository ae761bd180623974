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

export const LOW_EXPLANATION =
  'Each step changes this layer\'s weights by a tiny fraction of their size (healthy is about 1e-3), so it learns very slowly. ' +
  'A larger learning rate usually fixes it.';

export const HIGH_EXPLANATION =
  'Each step changes this layer\'s weights by a large fraction of their size (healthy is about 1e-3), so training is unstable. ' +
  'A smaller learning rate usually fixes it.';

export function updateRatio(
  spec: NetworkSpec,
  window: StepFrame[],
  thresholds: Thresholds,
  explained: { vanishing: Set<number>; exploding: Set<number> },
  lrLimit: number,
): LayerFinding[] {
  const findings: LayerFinding[] = [];
  for (const leaf of spec.leaves) {
    if (!hasParams(leaf)) continue;
    const logs: number[] = [];
    let low = 0;
    let high = 0;
    for (const frame of window) {
      const stats = statsOf(frame, leaf.index);
      const log = stats && log10UpdateRatio(stats);
      if (log === undefined || Number.isNaN(log)) continue;
      logs.push(log);
      if (log < thresholds.updateRatioLow) low++;
      if (log > thresholds.updateRatioHigh) high++;
    }
    const typical = median(logs);
    const lowFlag = isMost(low, window.length) && !explained.vanishing.has(leaf.index);
    const highFlag = isMost(high, window.length) && !explained.exploding.has(leaf.index);
    if (!lowFlag && !highFlag) continue;
    const ratio = 10 ** typical;
    findings.push({
      code: lowFlag ? 'update-ratio-low' : 'update-ratio-high',
      severity: 'warning',
      layer: leaf.index,
      line: leaf.line,
      message: `Update ratio ‖ΔW‖/‖W‖ ${formatNumber(ratio)} (healthy ≈ 1e-3), in ${lowFlag ? low : high} of ${window.length} steps`,
      explanation: lowFlag ? LOW_EXPLANATION : HIGH_EXPLANATION,
      evidence: { updateRatio: ratio, log10UpdateRatio: typical, steps: lowFlag ? low : high, windowSteps: window.length },
      // The lr that moves the ratio to 1e-3, within lrLimit (see analyze).
      fixes: lrFromFirstStep(spec, window, lowFlag ? 'raise' : 'lower', lrLimit),
    });
  }
  return findings;
}
