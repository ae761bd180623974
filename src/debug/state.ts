// What the debugger shows at one step: the step's numbers, each layer's statistics and
// flags, and each parameter's weights and gradients, read from the recorded window (or,
// before the first step, from the freshly initialised network). The Variables view, the
// expression language and breakpoint conditions all read these views, so a value is the
// same wherever it appears.

import type { LayerFinding } from '../analysis/types';
import { learningRate } from '../analysis/network';
import { layerUpdateRatio } from '../analysis/window';
import type { LayerStats } from '../engine/telemetry';
import type { LeafLayer } from '../lang/spec';
import type { StepRecord } from './history';
import type { Timeline } from './timeline';

type Floats = Float32Array | Float64Array;

/** One parameter tensor (or its gradient) at a step. */
export interface TensorView {
  /** How the expression language names it: `dense3.W`, `dense3.W.grad`. */
  path: string;
  shape: number[];
  values: Floats;
  /** The gradient of this step's loss with respect to it (absent before the first step and for a gradient itself). */
  grad?: TensorView;
}

/** A layer's numbers at a step, by the names conditions and the console use. */
export const LAYER_FIELDS = [
  'gradNorm',
  'gradRms',
  'weightNorm',
  'updateRatio',
  'outGradNorm',
  'inGradNorm',
  'outMean',
  'outStd',
  'deadFraction',
  'saturatedFraction',
] as const;
export type LayerField = (typeof LAYER_FIELDS)[number];

export interface LayerView {
  leaf: LeafLayer;
  /** Undefined before the first step and at a step that went non-finite before measuring. */
  stats: LayerStats | undefined;
  flags: LayerFinding[];
  params: TensorView[];
}

/** The step's own numbers, by name. */
export const STEP_FIELDS = ['step', 'epoch', 'loss', 'accuracy', 'lr', 'valLoss', 'valAccuracy'] as const;
export type StepField = (typeof STEP_FIELDS)[number];

export class StepView {
  readonly record: StepRecord | undefined;
  private readonly layers = new Map<number, LayerView>();

  constructor(private readonly timeline: Timeline, readonly step: number) {
    this.record = step === 0 ? undefined : timeline.history.record(step);
  }

  get leaves(): readonly LeafLayer[] {
    return this.timeline.spec.leaves;
  }

  /** A step number, loss…; undefined when this step has none (accuracy of a regression, loss before the first step). */
  stepValue(name: StepField): number | undefined {
    const record = this.record, frame = record?.frame;
    switch (name) {
      case 'step':
        return this.step;
      case 'epoch':
        return record?.epoch;
      case 'loss':
        return record?.loss;
      case 'accuracy':
        return frame?.accuracy;
      case 'lr':
        return learningRate(this.timeline.spec);
      case 'valLoss':
        return frame?.valLoss;
      case 'valAccuracy':
        return frame?.valAccuracy;
    }
  }

  layerByName(name: string): LayerView | undefined {
    const leaf = this.leaves.find((l) => l.name === name);
    return leaf && this.layer(leaf.index);
  }

  layer(index: number): LayerView {
    let view = this.layers.get(index);
    if (!view) {
      const leaf = this.leaves[index];
      const stats = this.record?.frame?.layers[index];
      view = { leaf, stats, flags: this.record?.findings.get(index) ?? [], params: this.params(leaf) };
      this.layers.set(index, view);
    }
    return view;
  }

  private params(leaf: LeafLayer): TensorView[] {
    const net = this.timeline.session.net;
    const views: TensorView[] = [];
    net.params.forEach((param, k) => {
      if (param.layer !== leaf.index) return;
      const path = `${leaf.name}.${param.name}`;
      const shape = [...param.shape];
      if (this.step === 0) {
        // Before the first step the live network holds the initial weights; nothing has a gradient yet.
        views.push({ path, shape, values: param.value });
        return;
      }
      const recorded = this.timeline.history.values(this.step, k);
      if (!recorded) return;
      views.push({ path, shape, values: recorded.weights, grad: { path: `${path}.grad`, shape, values: recorded.grads } });
    });
    return views;
  }
}

/** A layer's number by field name; undefined when it was not measured at this step. */
export function layerValue(view: LayerView, field: LayerField): number | undefined {
  const stats = view.stats;
  if (!stats) return undefined;
  switch (field) {
    case 'weightNorm':
      return Math.sqrt(stats.params.reduce((sum, p) => sum + p.weightNorm * p.weightNorm, 0));
    case 'updateRatio':
      // The analysis's measure: over all the layer's tensors together (0 when nothing has weights).
      return layerUpdateRatio(stats) ?? 0;
    default:
      return stats[field];
  }
}

/** Summary statistics of a tensor: the line above its values. */
export function tensorStats(values: Floats): { norm: number; mean: number; std: number; min: number; max: number; sum: number } {
  let sum = 0, squares = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    sum += v;
    squares += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const n = values.length, mean = n > 0 ? sum / n : 0, variance = n > 0 ? squares / n - mean * mean : 0;
  return { norm: Math.sqrt(squares), mean, std: variance > 0 ? Math.sqrt(variance) : 0, min, max, sum };
}

/**
 * A value as the debugger prints it. Seven significant digits: what a float32 weight holds,
 * where the editor's flags print two (formatNumber) because they compare magnitudes.
 */
export function debugNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return String(Number(x.toPrecision(7)));
}
