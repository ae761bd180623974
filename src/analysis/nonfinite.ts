// nonfinite-gradient: the run produced NaN or Inf. The engine reports the first op in tape
// order that did (PyTorch's detect_anomaly names the backward op; users ask for the first
// forward producer), so the finding names that op and its layer. Error severity: every
// number after it is meaningless.

import type { RunResult } from '../engine/telemetry';
import type { NetworkSpec } from '../lang/spec';
import type { LayerFinding } from './types';
import { lastLeafLine } from './network';
import { addClip, distinct, lrFromFirstStep } from './remedies';

export const NONFINITE_EXPLANATION =
  'A NaN or Inf poisons every weight it reaches, so training cannot recover from it. ' +
  'It usually follows an update that was too large: lower the learning rate or clip the gradient norm.';

export function nonFinite(spec: NetworkSpec, run: RunResult, lrLimit: number): LayerFinding[] {
  const report = run.nonFinite;
  if (!report) return [];
  const leaf = report.layer !== undefined ? spec.leaves[report.layer] : undefined;
  const where = leaf ? ` in ${report.layerName ?? leaf.name}` : report.layerName ? ` in ${report.layerName}` : ' in the loss';
  const phase = report.phase === 'forward' ? 'output' : report.phase === 'backward' ? 'gradient' : 'update';
  return [{
    code: 'nonfinite-gradient',
    severity: 'error',
    layer: leaf?.index,
    line: leaf?.line ?? report.line ?? lastLeafLine(spec),
    message: `Non-finite ${phase} at step ${report.step}: first produced by ${report.op}${where} (${report.phase})`,
    explanation: NONFINITE_EXPLANATION,
    evidence: { step: report.step },
    fixes: distinct([...lrFix(spec, run, lrLimit), ...addClip(spec)]),
  }];
}

/** Frames before the first non-finite one: the lr fix reads the first of them (lrFromFirstStep). */
function lrFix(spec: NetworkSpec, run: RunResult, lrLimit: number) {
  const finite = run.frames.filter((f) => run.nonFinite === undefined || f.step < run.nonFinite.step);
  return lrFromFirstStep(spec, finite, 'lower', lrLimit);
}
