// Telemetry of a compiled network: per step, per layer and per parameter tensor, the
// numbers of telemetry.ts. Everything is accumulated into typed arrays planned at
// compile time: relu layers sum their outputs and output gradients inside their own
// kernels (Op.measureInto), the optimizer sums the parameter gradients it reads anyway,
// and the rest gets one pass per buffer here. StepFrame objects are built from them only
// on request. On the step path no
// helper takes or returns a float: V8 boxes those when it does not inline the call,
// which would allocate every step.

import type { ActivationKind } from '../lang/spec';
import type { Histogram, LayerStats, ParamStats, StepFrame } from './telemetry';
import type { Network } from './compile';
import type { Floats } from './floats';
import { DY_SQUARES, MEASURE_SLOTS, measureGradient, measureValues, Y_SATURATED, Y_SQUARES, Y_SUM } from './kernels/measured-activations';
import { activationOf, kindOf, outputShapeOf } from '../kinds';
import { deadColumns, deadPlanes, MAX_ABS, moments, SUM, SUM_SQUARES, sumSquaresInto } from './kernels/reduce';

// Per-layer slots in `layerStats`.
const OUT_MEAN = 0, OUT_STD = 1, DEAD = 2, SATURATED = 3, OUT_GRAD = 4, IN_GRAD = 5, LAYER_SLOTS = 6;
// Per-param slots in `paramStats`.
const G_SQUARES = 0, G_MAX = 1, G_MEAN = 2, G_STD = 3, W_SQUARES = 4, UPDATE_SQUARES = 5, PARAM_SLOTS = 6;

export const HISTOGRAM_BINS = 30;

export class Recorder {
  private readonly layerStats: Float64Array;
  private readonly paramStats: Float64Array;
  /** ‖W‖² of every param as it is now (after the last update); the optimizer refreshes it. */
  readonly weightSquares: Float64Array;
  /** ‖ΔW‖² of the last update per param. */
  readonly updateSquares: Float64Array;
  /** Per layer: the activation that produced its output (saturation depends on it), or 'none'. */
  private readonly activationOf: (ActivationKind | 'none')[];
  /** Per layer: Σy, Σy², saturated count and Σdy² of the current step (measured-activations.ts slots). */
  private readonly measures: Float64Array[];
  /** Per layer: 1 when its op fills `measures` from its own kernels (Op.measureInto), 0 when the recorder does. */
  private readonly selfMeasured: Uint8Array;
  private readonly scratch = new Float64Array(3);
  /** [0]: the global ‖g‖² of the last measureGradients (a typed array: returning a float would box it). */
  readonly gradSquares = new Float64Array(1);
  /** Σg, Σg², max |g| per param (3 slots each): from measureGradients, or from the optimizer's pass. */
  readonly gradMoments: Float64Array;
  private readonly paramsOfLayer: number[][];
  /**
   * Per layer, what a "unit" of its dead fraction is (3 slots: layout, units, positions): a
   * column of the output (layout 0), or for kinds with per-channel units a channel — of an
   * image [C, H, W] (1: C planes of H·W) or of a sequence [T, F] (2: F columns over T steps).
   */
  private readonly deadUnits: Int32Array;
  /** Per layer: the earlier layer whose output is this layer's input (its gradient norm is shared), or −1. */
  private readonly inputFrom: Int32Array;

  constructor(private readonly net: Network) {
    const layers = net.layerOps.length, params = net.params.length;
    this.layerStats = new Float64Array(layers * LAYER_SLOTS);
    this.paramStats = new Float64Array(params * PARAM_SLOTS);
    this.weightSquares = new Float64Array(params);
    this.updateSquares = new Float64Array(params);
    this.gradMoments = new Float64Array(params * 3);
    for (let k = 0; k < params; k++) sumSquaresInto(net.params[k].value, net.params[k].count, this.weightSquares, k);
    this.activationOf = net.spec.leaves.map((leaf) => activationOf(leaf) ?? 'none');
    this.deadUnits = new Int32Array(net.spec.leaves.length * 3);
    net.spec.leaves.forEach((leaf, l) => {
      const shape = outputShapeOf(leaf);
      const perChannel = kindOf(leaf).traits.perChannelUnits;
      const [layout, units, positions] = perChannel && shape.length === 3 ? [1, shape[0], shape[1] * shape[2]]
        : perChannel && shape.length === 2 ? [2, shape[1], shape[0]] : [0, leaf.outputWidth, 1];
      this.deadUnits.set([layout, units, positions], 3 * l);
    });
    this.measures = net.layerOps.map(() => new Float64Array(MEASURE_SLOTS));
    this.selfMeasured = Uint8Array.from(net.layerOps, (op, l) => {
      if (op.measureInto === undefined) return 0;
      op.measureInto(this.measures[l]);
      return 1;
    });
    this.paramsOfLayer = net.layerOps.map((_, i) => net.params.flatMap((p, k) => (p.layer === i ? [k] : [])));
    this.inputFrom = Int32Array.from(net.layerOps, (op, l) => net.layerOps.findIndex((other, k) => k < l && other.output === op.input));
  }

  /**
   * After forward and backward: each layer output's mean, std, dead and saturated fractions.
   * The sums come from the layer's own kernels when it measures itself (dense, activation);
   * other layers get a pass here.
   */
  measureOutputs(rows: number): void {
    const ops = this.net.layerOps, s = this.layerStats;
    for (let l = 0; l < ops.length; l++) {
      const out = ops[l].output, width = out.width, n = rows * width, m = this.measures[l];
      if (this.selfMeasured[l] === 0) measureValues(out.value, n, this.activationOf[l], m);
      const b = l * LAYER_SLOTS, mean = n > 0 ? m[Y_SUM] / n : 0, variance = n > 0 ? m[Y_SQUARES] / n - mean * mean : 0;
      s[b + OUT_MEAN] = mean;
      s[b + OUT_STD] = variance > 0 ? Math.sqrt(variance) : 0;
      const layout = this.deadUnits[3 * l], units = this.deadUnits[3 * l + 1], positions = this.deadUnits[3 * l + 2];
      const dead = layout === 1 ? deadPlanes(out.value, rows, units, positions)
        : layout === 2 ? deadColumns(out.value, rows * positions, units) : deadColumns(out.value, rows, width);
      s[b + DEAD] = units > 0 && width > 0 ? dead / units : 0;
      s[b + SATURATED] = n > 0 ? m[Y_SATURATED] / n : 0;
    }
  }

  /**
   * After backward, before clipping and the update: the gradient norms at each layer's
   * output and input, and ‖W‖ before the update. With `paramMoments`, also each param
   * gradient's moments and the global ‖g‖² (gradSquares, for clipping); without, the
   * optimizer's pass fills gradMoments (the gradient is unchanged until then).
   */
  measureGradients(rows: number, paramMoments: boolean): void {
    const params = this.net.params, ps = this.paramStats, m = this.scratch, gm = this.gradMoments;
    let total = 0;
    for (let k = 0; k < params.length; k++) {
      ps[k * PARAM_SLOTS + W_SQUARES] = this.weightSquares[k];
      if (!paramMoments) continue;
      moments(params[k].grad, params[k].count, m);
      gm[3 * k] = m[SUM];
      gm[3 * k + 1] = m[SUM_SQUARES];
      gm[3 * k + 2] = m[MAX_ABS];
      total += m[SUM_SQUARES];
    }
    this.gradSquares[0] = total;
    const ops = this.net.layerOps, s = this.layerStats;
    for (let l = 0; l < ops.length; l++) {
      const op = ops[l], b = l * LAYER_SLOTS, from = this.inputFrom[l], measure = this.measures[l];
      if (this.selfMeasured[l] === 0) measureGradient(op.output.grad, rows * op.output.width, measure);
      s[b + OUT_GRAD] = Math.sqrt(measure[DY_SQUARES]);
      if (from >= 0) {
        s[b + IN_GRAD] = s[from * LAYER_SLOTS + OUT_GRAD]; // the same tensor, measured just before
      } else if (op.input.needsGrad) {
        // An input without a gradient this step is the data batch between samples: keep the last value.
        sumSquaresInto(op.input.grad, rows * op.input.width, m);
        s[b + IN_GRAD] = Math.sqrt(m[0]);
      }
    }
  }

  /** After the update: gradient moments and ‖ΔW‖ per param (gradMoments and updateSquares are filled by now). */
  measureUpdate(): void {
    const ps = this.paramStats, gm = this.gradMoments, params = this.net.params;
    for (let k = 0; k < params.length; k++) {
      const b = k * PARAM_SLOTS, count = params[k].count;
      const mean = gm[3 * k] / count, variance = gm[3 * k + 1] / count - mean * mean;
      ps[b + G_SQUARES] = gm[3 * k + 1];
      ps[b + G_MAX] = gm[3 * k + 2];
      ps[b + G_MEAN] = mean;
      ps[b + G_STD] = variance > 0 ? Math.sqrt(variance) : 0;
      ps[b + UPDATE_SQUARES] = this.updateSquares[k];
    }
  }

  /** The step's numbers as plain data. */
  frame(step: number, epoch: number, loss: number, accuracy: number | undefined): StepFrame {
    // A run keeps thousands of frames (its history, the analysis's evidence), so each is as
    // small as its contract allows: arrays of their
    // final length (push would grow them with slack) and one object per number group.
    const s = this.layerStats, ps = this.paramStats, layerCount = this.net.layerOps.length;
    const layers = new Array<LayerStats>(layerCount);
    for (let l = 0; l < layerCount; l++) {
      const b = l * LAYER_SLOTS, owned = this.paramsOfLayer[l];
      const params = new Array<ParamStats>(owned.length);
      let squares = 0, count = 0;
      for (let i = 0; i < owned.length; i++) {
        const k = owned[i], p = this.net.params[k], pb = k * PARAM_SLOTS;
        const weightNorm = Math.sqrt(ps[pb + W_SQUARES]);
        squares += ps[pb + G_SQUARES];
        count += p.count;
        params[i] = {
          name: p.name,
          gradNorm: Math.sqrt(ps[pb + G_SQUARES]),
          gradMaxAbs: ps[pb + G_MAX],
          gradMean: ps[pb + G_MEAN],
          gradStd: ps[pb + G_STD],
          weightNorm,
          updateRatio: weightNorm > 0 ? Math.sqrt(ps[pb + UPDATE_SQUARES]) / weightNorm : 0,
        };
      }
      const gradNorm = Math.sqrt(squares);
      layers[l] = {
        index: l,
        gradNorm,
        gradRms: count > 0 ? gradNorm / Math.sqrt(count) : 0,
        outGradNorm: s[b + OUT_GRAD],
        inGradNorm: s[b + IN_GRAD],
        outMean: s[b + OUT_MEAN],
        outStd: s[b + OUT_STD],
        deadFraction: s[b + DEAD],
        saturatedFraction: s[b + SATURATED],
        params,
      };
      const time = this.net.layerOps[l].timeGradNorms;
      if (time !== undefined) layers[l].timeGradNorms = Array.from(time);
    }
    const frame: StepFrame = { step, epoch, loss, layers };
    if (accuracy !== undefined) frame.accuracy = accuracy;
    return frame;
  }

  /**
   * Histograms of each layer's parameter gradients (layers with parameters) and of its
   * output values, over the current batch.
   */
  histograms(step: number, rows: number, into: Histogram[]): void {
    const ops = this.net.layerOps;
    for (let l = 0; l < ops.length; l++) {
      const sources = this.paramsOfLayer[l].map((k) => ({ values: this.net.params[k].grad, n: this.net.params[k].count }));
      if (sources.length > 0) into.push(histogram(step, l, 'gradient', sources));
      const out = ops[l].output;
      into.push(histogram(step, l, 'activation', [{ values: out.value, n: rows * out.width }]));
    }
  }
}

/** Equal-width bins between the finite min and max of the values (all in one bin when they are equal). */
export function histogram(
  step: number, layer: number, of: Histogram['of'], sources: { values: Floats; n: number }[],
): Histogram {
  let min = Infinity, max = -Infinity;
  for (const { values, n } of sources) {
    for (let i = 0; i < n; i++) { const v = values[i]; min = v < min ? v : min; max = v > max ? v : max; }
  }
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  if (!(min <= max)) return { step, layer, of, min: 0, max: 0, counts };
  // Bin = ⌊(v − min)·bins/(max − min)⌋, the top edge in the last bin. A multiply and a
  // truncation rather than a division and Math.floor: 3.9 → 3.1 ns per value.
  const scale = max > min ? HISTOGRAM_BINS / (max - min) : 0, last = HISTOGRAM_BINS - 1;
  for (const { values, n } of sources) {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (!(v >= min && v <= max)) continue;
      const bin = ((v - min) * scale) | 0;
      counts[bin < last ? bin : last]++;
    }
  }
  return { step, layer, of, min, max, counts };
}
