// Causes before symptoms (collapse.ts finds the collapse and the step that caused it). When a
// probe or run collapses, the findings are rewritten so the first cause leads and what follows
// from it is its evidence, not a separate warning:
//   1. the init, when a layer's signal already grows or shrinks through depth at step 1
//      (exploding/vanishing-gradient from the gains, symmetric-units): the collapse is added to
//      those findings;
//   2. else the first step that moved the weights by more than their size: a `dead-network` or
//      `loss-diverging` finding on the optimizer line names it and the lr factor;
//   3. else (dead from the first step, or a slower divergence) the collapse finding names the
//      layer where the gradient stops, or the largest step before the loss left its range.
// A non-finite collapse keeps its Error (nonfinite-gradient names the first producing op) and
// gets the cause added. Per-layer flags that did not hold at the first step — update ratios,
// dead or saturated units, the relative vanishing/exploding rule — are symptoms of the
// collapse and are folded into the cause's evidence.

import type { RunResult, StepFrame } from '../engine/telemetry';
import type { NetworkSpec, Thresholds } from '../lang/spec';
import type { FindingCode, LayerFinding } from './types';
import { collapseFinding, collapseText, detectCollapse, firstOverwrite, overwriteText } from './collapse';
import { flowAt, isExplodingAt, isVanishingAt } from './gradient-flow';
import { hasParams } from './network';
import { MAX_LR_FACTOR, distinct, lrTowardHealthy, normaliseData } from './remedies';
import { formatNumber } from './format';
import { inputScale } from './signal-gain';
import { HIGH_EXPLANATION } from './update-ratio';
import { log10UpdateRatio, statsOf } from './window';

const SYMPTOMS: ReadonlySet<FindingCode> = new Set(['update-ratio-low', 'update-ratio-high', 'dead-relu', 'saturated-activation', 'vanishing-gradient', 'exploding-gradient']);

/** Whether a symptom's condition already held at the first judged step, before the collapse could cause it. */
function heldAtStart(spec: NetworkSpec, first: StepFrame, finding: LayerFinding, thresholds: Thresholds): boolean {
  if (finding.layer === undefined) return false;
  const stats = statsOf(first, finding.layer);
  if (!stats) return false;
  switch (finding.code) {
    case 'dead-relu':
      return stats.deadFraction > thresholds.deadFraction;
    case 'saturated-activation':
      return stats.saturatedFraction > thresholds.saturatedFraction;
    case 'vanishing-gradient':
    case 'exploding-gradient': {
      if ('gainTotal' in finding.evidence) return true;
      const sample = flowAt(spec, first, spec.leaves.filter(hasParams)).get(finding.layer);
      return sample !== undefined && (finding.code === 'vanishing-gradient' ? isVanishingAt(sample, thresholds) : isExplodingAt(sample, thresholds));
    }
    case 'update-ratio-low': {
      const log = log10UpdateRatio(stats);
      return log !== undefined && log < thresholds.updateRatioLow;
    }
    default:
      // update-ratio-high is the step that caused the collapse: the cause finding says it.
      return false;
  }
}

/** "update-ratio-low on 3 layers, dead-relu on 2" */
function foldedText(folded: LayerFinding[]): string {
  const counts = new Map<string, Set<number>>();
  for (const f of folded) counts.set(f.code, (counts.get(f.code) ?? new Set()).add(f.layer ?? -1));
  return [...counts].map(([code, layers]) => `${code} on ${layers.size} layer${layers.size === 1 ? '' : 's'}`).join(', ');
}

/**
 * An initial loss far above ln C is the same explosion seen at the output: when the gains name
 * the init, it becomes the evidence of the exploding finding nearest the output, not a note.
 */
function foldInitialLoss(findings: LayerFinding[]): LayerFinding[] {
  const note = findings.find((f) => f.code === 'initial-loss');
  const exploding = findings.filter((f) => f.code === 'exploding-gradient' && 'gainTotal' in f.evidence);
  if (!note || exploding.length === 0) return findings;
  const last = exploding.reduce((a, b) => ((b.layer ?? 0) > (a.layer ?? 0) ? b : a));
  last.message += `; ${note.message.charAt(0).toLowerCase()}${note.message.slice(1)}`;
  last.evidence = { ...last.evidence, initialLoss: note.evidence.initialLoss, initialLossRatio: note.evidence.ratio };
  return findings.filter((f) => f !== note);
}

/**
 * Constant inits stop the gradient as well as the symmetry (all-zero weights pass no gradient
 * back): the zero gradients, zero steps and gains downstream of a symmetric-units finding are
 * its evidence, not findings of their own.
 */
function foldIntoSymmetry(findings: LayerFinding[]): LayerFinding[] {
  const symmetric = findings.filter((f) => f.code === 'symmetric-units');
  if (symmetric.length === 0) return findings;
  const folded = findings.filter((f) => (f.code === 'vanishing-gradient' && !('gainTotal' in f.evidence)) || f.code === 'update-ratio-low' || f.code === 'backward-gain');
  if (folded.length) symmetric[0].message += `; folded in: ${foldedText(folded)}`;
  return findings.filter((f) => !folded.includes(f));
}

/** The first layer's output this many times what its init gives unit-scale inputs: the data is the cause. */
export const INPUT_SCALE_LIMIT = 10;

/**
 * A CSV read with `normalize=false` whose features are far from unit scale (inputScale) makes
 * the first layer's output, the logits and the first steps as large as the data: named first
 * on the collapse, the step and the initial loss, with `normalize=true` as their first fix.
 */
function dataFirst(spec: NetworkSpec, first: StepFrame, findings: LayerFinding[]): LayerFinding[] {
  const fix = normaliseData(spec);
  const scale = inputScale(spec, first);
  if (fix.length === 0 || scale === undefined || !(scale > INPUT_SCALE_LIMIT)) return findings;
  const text = `the inputs are not standardised (normalize=false): ${spec.leaves[0].name}'s output is ${formatNumber(scale)}× what its init gives inputs of unit scale`;
  for (const f of findings) {
    if (!['dead-network', 'loss-diverging', 'nonfinite-gradient', 'update-ratio-high', 'initial-loss'].includes(f.code)) continue;
    // Before the step it made too large: the data is the first cause.
    f.message = f.code === 'initial-loss' ? `${f.message}; cause: ${text}` : f.message.replace(/^([^:]*): /, `$1: ${text}; `);
    f.evidence = { ...f.evidence, inputScale: scale };
    // Not for the initial loss: standardised, the features still leave the output layer's own
    // scale to judge (measured: houses.csv under xavier still starts at 2.4× ln 3).
    if (f.code !== 'initial-loss') f.fixes = distinct([...fix, ...f.fixes]);
  }
  return findings;
}

export function causesFirst(spec: NetworkSpec, run: RunResult, frames: StepFrame[], thresholds: Thresholds, all: LayerFinding[]): LayerFinding[] {
  return frames.length ? dataFirst(spec, frames[0], causes(spec, run, frames, thresholds, all)) : all;
}

function causes(spec: NetworkSpec, run: RunResult, frames: StepFrame[], thresholds: Thresholds, all: LayerFinding[]): LayerFinding[] {
  const findings = foldIntoSymmetry(foldInitialLoss(all));
  const collapse = detectCollapse(spec, run, frames);
  if (frames.length === 0) return findings;
  if (!collapse) return stepCause(spec, frames, thresholds, findings);
  const first = frames[0];
  const folded = findings.filter((f) => SYMPTOMS.has(f.code) && !heldAtStart(spec, first, f, thresholds));
  const kept = findings.filter((f) => !folded.includes(f));
  const symptoms = folded.length ? `; folded in: ${foldedText(folded)}` : '';
  const initCauses = kept.filter((f) => ((f.code === 'exploding-gradient' || f.code === 'vanishing-gradient') && 'gainTotal' in f.evidence) || f.code === 'symmetric-units');
  const what = collapseText(collapse);
  const nonfinite = kept.find((f) => f.code === 'nonfinite-gradient');

  if (initCauses.length) {
    const lead = initCauses[0];
    for (const cause of initCauses) {
      cause.evidence = { ...cause.evidence, collapseStep: collapse.step };
      if (cause === lead) cause.message += `; then training collapses: ${what}${symptoms}`;
    }
    if (nonfinite) {
      nonfinite.message += `; cause: the init (${lead.code} on ${spec.leaves[lead.layer ?? 0]?.name ?? 'the network'})`;
      nonfinite.fixes = distinct([...lead.fixes, ...nonfinite.fixes]);
    }
    // A dead network from constant inits is the symmetric layers' finding, not a second one.
    return kept;
  }

  const overwrite = firstOverwrite(spec, frames, collapse.step);
  if (collapse.kind === 'nonfinite') {
    if (nonfinite && overwrite) {
      nonfinite.message += `; cause: ${overwriteText(overwrite)}${symptoms}`;
      nonfinite.evidence = { ...nonfinite.evidence, causeStep: overwrite.step, updateRatio: 10 ** overwrite.log10Ratio };
      nonfinite.related = [...(nonfinite.related ?? []), { line: overwrite.layer.line, message: `${overwrite.layer.name} moved ${(10 ** overwrite.log10Ratio).toPrecision(2)}× its size at step ${overwrite.step}.` }];
    } else if (nonfinite && symptoms) nonfinite.message += symptoms;
    return kept;
  }
  const finding = collapseFinding(spec, frames, collapse, overwrite);
  if (!finding) return findings;
  finding.message += symptoms;
  return [...kept, finding];
}

/**
 * No collapse, but a step that moved a layer's weights by more than their size, after which
 * flags appeared that did not hold at the first step (units pushed dead, into saturation, the
 * gradient gone): those are that step's doing. The step is named on an update-ratio-high
 * finding on its layer (created when the window's median did not flag it: a run's later steps
 * are small once the units are dead) and the later flags are folded into it. Not when the
 * init is already named (gain findings): its growth made the step large.
 */
function stepCause(spec: NetworkSpec, frames: StepFrame[], thresholds: Thresholds, findings: LayerFinding[]): LayerFinding[] {
  if (findings.some((f) => 'gainTotal' in f.evidence || f.code === 'symmetric-units')) return findings;
  const overwrite = firstOverwrite(spec, frames, Infinity);
  if (!overwrite) return findings;
  const first = frames[0];
  const folded = findings.filter((f) => f.code !== 'update-ratio-high' && SYMPTOMS.has(f.code) && !heldAtStart(spec, first, f, thresholds) && (f.evidence.firstStep === undefined || f.evidence.firstStep > overwrite.step));
  if (folded.length === 0) return findings;
  const kept = findings.filter((f) => !folded.includes(f));
  const text = `${overwriteText(overwrite)}; after it: ${foldedText(folded)}`;
  const existing = kept.find((f) => f.code === 'update-ratio-high' && f.layer === overwrite.layer.index);
  // The lr that makes that step healthy, within 1000× when the init is in doubt (backward-gain).
  const fixes = lrTowardHealthy(spec, overwrite.log10Ratio, 'lower', kept.some((f) => f.code === 'backward-gain') ? MAX_LR_FACTOR : Infinity);
  if (existing) {
    existing.message += `; ${text}`;
    existing.evidence = { ...existing.evidence, causeStep: overwrite.step };
    existing.fixes = distinct([...fixes, ...existing.fixes]);
    return kept;
  }
  return [...kept, {
    code: 'update-ratio-high',
    severity: 'warning',
    layer: overwrite.layer.index,
    line: overwrite.layer.line,
    message: `Update ratio: ${text}`,
    explanation: HIGH_EXPLANATION,
    evidence: { updateRatio: 10 ** overwrite.log10Ratio, log10UpdateRatio: overwrite.log10Ratio, causeStep: overwrite.step },
    related: spec.optimizerStatement ? [{ line: spec.optimizerStatement.line, message: `lr=${spec.optimizer.lr}` }] : undefined,
    fixes,
  }];
}
