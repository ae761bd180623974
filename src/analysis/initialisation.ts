// Initialisation checks (Information), from the first step alone, so a user sees a bad init
// before any training: the initial loss against what an uninformed network should score,
// and the backward gain from the loss to the input.

import type { RunResult, StepFrame } from '../engine/telemetry';
import type { LeafLayer, NetworkSpec } from '../lang/spec';
import type { LayerFinding } from './types';
import { formatNumber } from './format';
import { isFusedWithLoss, lastLeafLine } from './network';
import { removeSoftmax, replaceSaturating, useMatchedInit } from './remedies';
import { statsOf } from './window';

/**
 * Initial loss more than this many times the expected one is flagged. For bce, 2·ln 2 ≈ 1.39
 * is what logits of standard deviation ≈ 3 give: most predictions are then confidently
 * wrong or right at random, the "hockey stick" start Karpathy's recipe warns about.
 */
export const INITIAL_LOSS_FACTOR = 2;

/** The cumulative backward gain is healthy inside [1/GAIN_BAND, GAIN_BAND] (issue 5; ≈ dynamical isometry). */
export const GAIN_BAND = 2;

export const INITIAL_LOSS_EXPLANATION =
  'An untrained classifier should be unsure: its loss should be about ln C for C classes (ln 2 for bce). ' +
  'A much larger initial loss means the output layer starts overconfident — usually its init is too large; a smaller (Xavier) init on the last layer fixes it.';

export const BACKWARD_GAIN_EXPLANATION =
  'The gradient reaching the input is this many times the gradient at the output; far from 1, early layers learn much slower (below) or faster (above) than late ones. ' +
  'Variance-preserving inits (He for ReLU, Xavier otherwise) keep each layer\'s gain near 1 (Glorot & Bengio 2010, He et al. 2015).';

/** ln C for C-class cross-entropy, ln 2 for bce; undefined for regression (needs the targets' variance, which the spec does not carry). */
export function expectedInitialLoss(spec: NetworkSpec): number | undefined {
  if (spec.loss.kind === 'cross_entropy' && spec.dataShape.classes >= 2) return Math.log(spec.dataShape.classes);
  if (spec.loss.kind === 'bce') return Math.log(2);
  return undefined;
}

export function initialLoss(spec: NetworkSpec, run: RunResult): LayerFinding[] {
  const expected = expectedInitialLoss(spec);
  const loss = run.initialLoss;
  if (expected === undefined || !Number.isFinite(loss) || loss <= INITIAL_LOSS_FACTOR * expected) return [];
  const last = spec.leaves[spec.leaves.length - 1];
  const output = [...spec.leaves].reverse().find((leaf) => leaf.kind === 'dense');
  return [{
    code: 'initial-loss',
    severity: 'information',
    line: lastLeafLine(spec),
    layer: last?.index,
    message: `Initial loss ${formatNumber(loss)}, ${formatNumber(loss / expected)}× the expected ${formatNumber(expected)} (${spec.loss.kind === 'bce' ? 'ln 2' : `ln ${spec.dataShape.classes}`})`,
    explanation: INITIAL_LOSS_EXPLANATION,
    evidence: { initialLoss: loss, expected, ratio: loss / expected },
    fixes: useMatchedInit(spec, output),
  }];
}

/** A point of the top-level chain where the gradient's norm is known, and the node it enters. */
interface GainPoint {
  leaf: LeafLayer;
  line: number;
  name: string;
  norm: number;
}

/**
 * The gradient norm entering each top-level node, input side first. A leaf's inGradNorm is
 * the whole gradient at its input there (one consumer); a residual block's input also gets
 * the skip path, so its norm is read at the output of the leaf before it.
 */
function gainPoints(spec: NetworkSpec, frame: StepFrame): GainPoint[] {
  const points: GainPoint[] = [];
  for (const node of spec.layers) {
    if (node.kind === 'residual') {
      const first = firstLeaf(node.body);
      const before = first && spec.leaves[first.index - 1];
      const norm = before ? statsOf(frame, before.index)?.outGradNorm : undefined;
      if (first && norm !== undefined) points.push({ leaf: first, line: node.line, name: node.name, norm });
    } else {
      const norm = statsOf(frame, node.index)?.inGradNorm;
      // The first layer's input is the data: an engine may not compute that gradient (0).
      if (norm !== undefined && !(node.index === 0 && norm === 0)) points.push({ leaf: node, line: node.line, name: node.name, norm });
    }
  }
  return points.filter((p) => Number.isFinite(p.norm));
}

function firstLeaf(nodes: NetworkSpec['layers']): LeafLayer | undefined {
  for (const node of nodes) {
    if (node.kind !== 'residual') return node;
    const inner = firstLeaf(node.body);
    if (inner) return inner;
  }
  return undefined;
}

export function backwardGain(spec: NetworkSpec, run: RunResult): LayerFinding[] {
  const frame = run.frames[0];
  const last = spec.leaves[spec.leaves.length - 1];
  if (!frame || !last) return [];
  const lastStats = statsOf(frame, last.index);
  if (!lastStats) return [];
  // Under bce the output sigmoid is fused with the loss (its σ' cancels), so the gradient at
  // its probability output is not the one backpropagation carries: measure from its input.
  const fusedOutput = isFusedWithLoss(spec, last);
  const points = gainPoints(spec, frame).filter((p) => !(fusedOutput && p.leaf === last));
  const reference = fusedOutput ? lastStats.inGradNorm : lastStats.outGradNorm;
  if (!(reference > 0) || points.length === 0) return [];
  const gains = points.map((p) => p.norm / reference);
  const total = gains[0];
  const outside = (g: number) => g < 1 / GAIN_BAND || g > GAIN_BAND;
  if (!outside(total)) return [];
  // Where it leaves the band for good: the point nearest the output from which every point
  // toward the input stays outside, on the same side.
  const below = total < 1;
  let leave = 0;
  while (leave + 1 < gains.length && outside(gains[leave + 1]) && (gains[leave + 1] < 1) === below) leave++;
  const at = points[leave];
  return [{
    code: 'backward-gain',
    severity: 'information',
    layer: at.leaf.index,
    line: at.line,
    message: `Backward gain from the output to the input ${formatNumber(total)} at initialisation; it leaves [${formatNumber(1 / GAIN_BAND)}, ${GAIN_BAND}] at ${at.name} (×${formatNumber(gains[leave])} from the output to here)`,
    explanation: BACKWARD_GAIN_EXPLANATION,
    evidence: { gain: total, gainHere: gains[leave], step: frame.step },
    fixes: gainFixes(spec, at.leaf),
  }];
}

/**
 * A softmax before cross_entropy squashes the gradient at the output (the loss applies
 * log-softmax itself): remove it. A saturating layer loses gain to σ' whatever its init:
 * offer relu + He there, the matched init elsewhere.
 */
function gainFixes(spec: NetworkSpec, leaf: LeafLayer) {
  const softmax = removeSoftmax(spec);
  if (softmax.length && spec.leaves[spec.leaves.length - 1].line === leaf.line) return softmax;
  const replace = replaceSaturating(spec, leaf, ['relu']);
  return replace.length ? replace : useMatchedInit(spec, leaf);
}
