// Hand-built networks and telemetry for the analysis tests: the smallest NetworkSpec and
// RunResult that exercise a rule, with every number chosen by the test.

import type { LayerStats, RunResult, StepFrame } from '../../src/engine/telemetry';
import type {
  ActivationKind, InitSpec, LayerNode, LeafLayer, LossSpec, NetworkSpec, OptimizerSpec, ParamSpec, Thresholds,
} from '../../src/lang/spec';
import { range } from '../../src/lang/diagnostics';
import { DEFAULT_THRESHOLDS } from '../../src/protocol/settings';

export const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS };

type LeafDraft =
  | { kind: 'dense'; units: number; activation: ActivationKind; init: InitSpec; line?: number; name?: string }
  | { kind: 'activation'; activation: ActivationKind; line?: number }
  | { kind: 'layernorm'; line?: number };
type NodeDraft = LeafDraft | { kind: 'residual'; body: NodeDraft[]; line?: number };

export function dense(units: number, activation: ActivationKind = 'linear', init: InitSpec = { kind: 'he' }, extra: { line?: number; name?: string } = {}): LeafDraft {
  return { kind: 'dense', units, activation, init, ...extra };
}
export function act(activation: ActivationKind, line?: number): LeafDraft {
  return { kind: 'activation', activation, line };
}
export function layernorm(): LeafDraft {
  return { kind: 'layernorm' };
}
export function residual(...body: NodeDraft[]): NodeDraft {
  return { kind: 'residual', body };
}
/** `repeat n { dense units activation init }`: n copies sharing one line. */
export function repeat(n: number, units: number, activation: ActivationKind, init: InitSpec, line: number): LeafDraft[] {
  return Array.from({ length: n }, (_, k) => dense(units, activation, init, { line, name: `dense1_${k + 1}` }));
}

export interface NetworkOptions {
  loss?: LossSpec;
  classes?: number;
  optimizer?: OptimizerSpec;
}

/** Resolve drafts like the checker would: indices, names, widths, parameters, one line per statement. */
export function network(input: number, drafts: NodeDraft[], options: NetworkOptions = {}): NetworkSpec {
  const leaves: LeafLayer[] = [];
  let line = 2;
  let width = input;
  const counters: Record<string, number> = {};
  const build = (draft: NodeDraft): LayerNode => {
    const at = draft.line ?? line++;
    if (draft.kind === 'residual') {
      const start = width;
      const body = draft.body.map(build);
      return { kind: 'residual', name: `residual${at}`, line: at, range: range(at, 0, at, 10), width: start, body };
    }
    const index = leaves.length;
    const kindName = draft.kind === 'activation' ? draft.activation : draft.kind;
    counters[kindName] = (counters[kindName] ?? 0) + 1;
    const base = { index, line: at, range: range(at, 0, at, 20), inputWidth: width, name: `${kindName}${counters[kindName]}` };
    let leaf: LeafLayer;
    if (draft.kind === 'dense') {
      const params: ParamSpec[] = [
        { name: 'W', shape: [width, draft.units], count: width * draft.units },
        { name: 'b', shape: [draft.units], count: draft.units },
      ];
      leaf = { ...base, name: draft.name ?? base.name, kind: 'dense', outputWidth: draft.units, params, units: draft.units, activation: draft.activation, alpha: 0.01, init: draft.init, bias: true };
      width = draft.units;
    } else if (draft.kind === 'activation') {
      leaf = { ...base, kind: 'activation', outputWidth: width, params: [], activation: draft.activation, alpha: 0.01 };
    } else {
      const params: ParamSpec[] = [
        { name: 'gamma', shape: [width], count: width },
        { name: 'beta', shape: [width], count: width },
      ];
      leaf = { ...base, kind: 'layernorm', outputWidth: width, params, eps: 1e-5 };
    }
    leaves.push(leaf);
    return leaf;
  };
  const layers = drafts.map(build);
  const loss = options.loss ?? { kind: 'cross_entropy' };
  const classes = options.classes ?? (loss.kind === 'bce' ? 2 : loss.kind === 'cross_entropy' ? 3 : 0);
  return {
    data: { kind: 'generator', generator: 'blobs', n: 100, noise: 0.1, seed: 1, options: {}, range: range(0, 0, 0, 10) },
    dataShape: { task: loss.kind === 'bce' ? 'binary' : loss.kind === 'cross_entropy' ? 'classes' : 'regression', features: input, classes, trainSize: 100 },
    inputWidth: input,
    layers,
    leaves,
    loss,
    optimizer: options.optimizer ?? { kind: 'sgd', lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0 },
    train: { epochs: 1, batch: 32, seed: 1 },
    watch: {},
    paramCount: leaves.reduce((n, l) => n + l.params.reduce((m, p) => m + p.count, 0), 0),
  };
}

/** What a test says about one layer at one step; everything else is healthy and neutral. */
export interface LayerDraft {
  gradRms?: number;
  /** ‖ΔW‖/‖W‖ of the step (healthy 1e-3). */
  updateRatio?: number;
  deadFraction?: number;
  saturatedFraction?: number;
  /** ‖∂L/∂(layer input)‖; defaults to outGradNorm (gain 1). */
  inGradNorm?: number;
  /** ‖∂L/∂(layer output)‖; defaults to 100 × gradRms for weighted layers, 1 otherwise. */
  outGradNorm?: number;
  gradNorm?: number;
}

export function layerStats(leaf: LeafLayer, draft: LayerDraft = {}): LayerStats {
  const count = leaf.params.reduce((n, p) => n + p.count, 0);
  const gradRms = leaf.params.length ? draft.gradRms ?? 1e-2 : 0;
  const gradNorm = draft.gradNorm ?? gradRms * Math.sqrt(count);
  // Unless a test says otherwise, the backpropagated signal reaching a weighted layer moves
  // with its weight gradient (as it does when the activations keep their scale).
  const outGradNorm = draft.outGradNorm ?? (leaf.params.length ? gradRms * 100 : 1);
  return {
    index: leaf.index,
    gradNorm,
    gradRms,
    outGradNorm,
    inGradNorm: draft.inGradNorm ?? outGradNorm,
    outMean: 0,
    outStd: 1,
    deadFraction: draft.deadFraction ?? 0,
    saturatedFraction: draft.saturatedFraction ?? 0,
    params: leaf.params.map((p) => ({
      name: p.name,
      gradNorm: gradNorm * Math.sqrt(p.count / count),
      gradMaxAbs: gradRms * 3,
      gradMean: 0,
      gradStd: gradRms,
      // Biases start at zero: no weight norm, no ratio (the telemetry contract).
      weightNorm: p.name === 'b' || p.name === 'beta' ? 0 : Math.sqrt(p.count),
      updateRatio: p.name === 'b' || p.name === 'beta' ? 0 : draft.updateRatio ?? 1e-3,
    })),
  };
}

/** `steps` frames; `describe(leafIndex, step)` says what differs from healthy. */
export function frames(spec: NetworkSpec, steps: number, describe: (leaf: number, step: number) => LayerDraft = () => ({}), loss: (step: number) => number = () => 1): StepFrame[] {
  return Array.from({ length: steps }, (_, i) => ({
    step: i + 1,
    epoch: 1,
    loss: loss(i + 1),
    layers: spec.leaves.map((leaf) => layerStats(leaf, describe(leaf.index, i + 1))),
  }));
}

export function runOf(stepFrames: StepFrame[], extra: Partial<RunResult> = {}): RunResult {
  return { reason: 'done', steps: stepFrames.length, frames: stepFrames, histograms: [], initialLoss: stepFrames[0]?.loss ?? NaN, ...extra };
}
