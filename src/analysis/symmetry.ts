// symmetric-units: a hidden layer whose units can never differ. When a dense layer's weights
// start all equal (zeros, ones, any constant) and so do the weights that read its output, every
// unit of the layer computes the same value and receives the same gradient — forever: gradient
// descent preserves the symmetry, and the layer has one unit's capacity (Goodfellow, Bengio &
// Courville 2016, §8.4 "the initial parameters need to break symmetry"). A constant layer read
// by random weights is not symmetric: those weights give each unit its own gradient after one
// step (zeros under relu is dead instead: dead-relu). The probe's telemetry adds the evidence:
// whether the layers' gradients are exactly zero too (all-zero weights pass none back).

import type { StepFrame } from '../engine/telemetry';
import type { InitSpec, LeafLayer, NetworkSpec } from '../lang/spec';
import type { LayerFinding } from './types';
import { formatNumber } from './format';
import { initName } from './network';
import { matchInits } from './remedies';
import { initScale } from './signal-gain';
import { statsOf } from './window';

export const SYMMETRIC_EXPLANATION =
  'Every weight of this layer starts at the same value, and so does every weight that reads it, so all its units compute the same output and get the same gradient at every step: the layer behaves like a single unit, however wide. ' +
  'Random initialisation breaks the symmetry; the matched init (He for the ReLU family, Xavier otherwise) also gives it the right scale.';

/** An init that draws every weight equal. */
export function isConstantInit(init: InitSpec): boolean {
  return init.kind === 'zeros' || init.kind === 'ones' || (init.kind === 'normal' && init.std === 0) || (init.kind === 'uniform' && init.low === init.high);
}

/** The next dense layer after a leaf: the weights that read its units (through activations and norms, which act per unit). */
function readerOf(spec: NetworkSpec, leaf: LeafLayer): LeafLayer | undefined {
  return spec.leaves.slice(leaf.index + 1).find((l) => l.params.length > 0 && l.kind !== 'layernorm' && l.kind !== 'batchnorm');
}

export function symmetricUnits(spec: NetworkSpec, first: StepFrame | undefined): LayerFinding[] {
  // Inside a residual block the skip path feeds the readers too; keep to plain stacks.
  if (spec.layers.some((node) => node.kind === 'residual')) return [];
  // Weights loaded from a file replace the inits this rule reads.
  if (spec.weights) return [];
  const findings: LayerFinding[] = [];
  for (const leaf of spec.leaves) {
    if (leaf.kind !== 'dense' || !isConstantInit(leaf.init) || leaf.outputWidth < 2) continue;
    const reader = readerOf(spec, leaf);
    if (!reader || reader.kind !== 'dense' || !isConstantInit(reader.init)) continue;
    const stats = first && statsOf(first, leaf.index);
    const zeroGradient = stats !== undefined && stats.gradNorm === 0;
    const details = [`init ${initName(leaf.init)} here and ${initName(reader.init)} on ${reader.name}, which reads it: its ${leaf.outputWidth} units start identical and get identical gradients, so they never differ`];
    if (zeroGradient) details.push(`‖∇W‖ is exactly 0 at step ${first!.step}`);
    findings.push({
      code: 'symmetric-units',
      severity: 'warning',
      layer: leaf.index,
      line: leaf.line,
      message: `Symmetric units: ${details.join('; ')}`,
      explanation: SYMMETRIC_EXPLANATION,
      evidence: { units: leaf.outputWidth, ...(stats ? { gradNorm: stats.gradNorm } : {}) },
      related: reader.line !== leaf.line ? [{ line: reader.line, message: `${reader.name} reads this layer with init ${initName(reader.init)} (every weight ${formatNumber(initScale(spec, reader)?.actual ?? 0)}).` }] : undefined,
      // Random weights on this layer break its symmetry (its reader can stay constant: each unit then feeds it differently).
      fixes: matchInits(spec, false, (l) => (l === leaf ? { ...initScale(spec, l)!, ratio: 0 } : undefined)),
    });
  }
  return findings;
}
