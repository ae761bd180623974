// The gradient check users run on their own network (`gradlens gradcheck`, "GradLens: Check
// Gradients"): for every parameter tensor, the engine's backward pass against central finite
// differences in float64 (finite-difference.ts), on the first training batch — the batch
// `gradlens grads` reports — each tensor's relative error put in a band (gradcheck-bands.ts).
//
// Kinks: where the loss is not differentiable (ReLU at 0, max-pool ties, MAE at output =
// target) a step of ±h that moves a unit across the kink makes the finite difference
// average two one-sided slopes, while backward takes one of them. Such an entry is no evidence about the backward
// rule: the check watches every kink the network has, and an entry whose ±h evaluations put
// any watched value on another side than the unperturbed pass is counted as a kink crossing
// (with the layer that has it) and left out of the error.

import type { LeafLayer, NetworkSpec, ParamName } from '../lang/spec';
import type { Floats } from './floats';
import { activationDef } from '../kinds';
import type { Dataset } from './data/dataset';
import { GradientsError } from './gradients';
import { Rng } from './rng';
import { Session } from './session';
import { mismatch } from './train';
import { bandOf, worseBand, type GradBand } from './gradcheck-bands';
import { numericDerivative, type LossProbe } from './finite-difference';
import { corruptBackward } from './corrupt-backward';
import type { Network } from './compile';

/** Where the checked entries of one tensor crossed a kink, per kink of the network. */
export interface KinkCrossing {
  /** The layer (or `loss`) that has the kink. */
  layer: string;
  line: number;
  /** What the kink is, in words: `relu at 0`, `mae at output = target`. */
  kink: string;
  /** Entries of the tensor whose ±h step crossed it. */
  entries: number;
}

export interface TensorCheck {
  layer: string;
  param: ParamName;
  /** 0-based line of the layer's statement. */
  line: number;
  shape: number[];
  /** Entries in the tensor. */
  count: number;
  /** Entries compared (all of them up to the per-tensor budget, then a seeded sample). */
  checked: number;
  /** Of the checked entries, those whose finite difference crossed a kink (left out of the error). */
  kinked: number;
  /**
   * ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖) over the compared entries (0 when
   * both are zero); null when every checked entry crossed a kink, or none was checked
   * (`checked` 0: the budget ran out before this tensor).
   */
  relError: number | null;
  /**
   * The finite differences' own uncertainty over the compared entries (root sum of squares
   * of each estimate's rounding or step-disagreement error), in gradient units.
   */
  noise: number;
  /**
   * From the error beyond that noise, (‖analytic − numeric‖ − noise) / max(‖analytic‖,
   * ‖numeric‖): a gradient that is zero within the noise (a bias before batch norm) and
   * agrees is good, not "relative error 1". Null when every checked entry crossed a kink.
   */
  band: GradBand | null;
  /** The compared entry with the largest |analytic − numeric|, its own relative error, and its index in `shape`. */
  worst: { index: number[]; analytic: number; numeric: number; relError: number } | null;
  kinks: KinkCrossing[];
}

export interface GradCheckReport {
  /** Loss of the unperturbed pass. */
  loss: number;
  /** Examples in the batch. */
  rows: number;
  /** The finite-difference step. */
  h: number;
  tensors: TensorCheck[];
  /** The worst band over the tensors (null when no entry could be compared). */
  band: GradBand | null;
  /** Totals over the tensors. */
  entries: number;
  checked: number;
  kinked: number;
}

export interface GradCheckOptions {
  /** Finite-difference step (default 1e-5, CS231n's choice for float64). */
  h?: number;
  /**
   * Work budget in multiply-adds over all the loss evaluations (default 4e8, a couple of
   * seconds): each checked entry costs at least four passes from its layer to the loss.
   */
  budget?: number;
  /** Test-only: the rule to corrupt before the check (see corruptBackward). */
  corrupt?: string;
}

export const DEFAULT_H = 1e-5;
export const DEFAULT_BUDGET = 4e8;
/** Every tensor gets at least this many entries, budget or not (up to HARD_LIMIT). */
const MIN_ENTRIES = 8;
/** The check stops taking entries once its work reaches this many budgets. */
const HARD_LIMIT = 3;
const SAMPLE_SEED = 15;

/**
 * Compares every parameter's gradient with central finite differences on the first batch.
 * Throws GradientsError when the data cannot feed the network or the loss is not finite.
 */
export function gradcheck(spec: NetworkSpec, data: Dataset, options: GradCheckOptions = {}): GradCheckReport {
  const problem = mismatch(spec, data);
  if (problem !== null) throw new GradientsError(problem);
  const h = options.h ?? DEFAULT_H;
  const session = new Session(spec, data, { dtype: 'float64', telemetry: false });
  const net = session.net;
  if (options.corrupt !== undefined && !corruptBackward(net, options.corrupt)) {
    throw new GradientsError(`no backward rule of this network matches '${options.corrupt}' (the test-only corruption hook)`);
  }
  session.nextBatch();
  const rows = session.rows;
  const dropoutState = net.dropoutRng.save();
  if (!session.computeGradients()) {
    throw new GradientsError(`${net.nonFiniteReport(0).message.replace(' at step 0', '')}: the gradient check needs a finite loss and finite gradients`);
  }
  const loss = net.loss.value;
  const analytic = net.params.map((p) => Float64Array.from(p.grad));
  const watchers = kinkWatchers(spec, net);
  const base = watchers.map((w) => w.snapshot(rows));

  const firstOp = net.params.map((p) => net.ops.indexOf(net.layerOps[p.layer]));
  // A perturbed parameter changes nothing before its layer, so a pass starts there. Dropout
  // draws its masks in forward order from one stream (restored before every pass, so each
  // pass sees the masks of the first): skipping a dropout op would shift the draws of the
  // ones after it, so a pass that would skip one starts at 0.
  const firstDropout = net.ops.findIndex((op) => op.name === 'dropout');
  const passCost = suffixCosts(net, rows);
  let work = 0;
  const evaluate = (from: number): number => {
    const start = firstDropout >= 0 && firstDropout < from ? 0 : from;
    net.dropoutRng.restore(dropoutState);
    for (let i = start; i < net.ops.length; i++) net.ops[i].forward(rows, true);
    work += passCost[start];
    return net.loss.value;
  };

  // Each tensor gets an equal share of what is left of the budget, spent on its entries in
  // a seeded random order (the largest |gradient| first, where a wrong rule shows most)
  // until the share is used up or every entry is checked; at least MIN_ENTRIES each while
  // the work stays under HARD_LIMIT budgets. Past that (thousands of tensors, or passes far
  // larger than the budget) the remaining tensors are not checked, and say so.
  const budget = options.budget ?? DEFAULT_BUDGET;
  const sampler = new Rng(SAMPLE_SEED);
  const tensors: TensorCheck[] = [];

  for (let k = 0; k < net.params.length; k++) {
    const p = net.params[k];
    const leaf = spec.leaves[p.layer];
    const order = entryOrder(analytic[k], p.count, sampler);
    const share = Math.max(0, budget - work) / (net.params.length - k);
    const started = work;
    const crossings = new Map<number, number>();
    let diff2 = 0, u2 = 0, a2 = 0, n2 = 0, kinked = 0;
    let worst: TensorCheck['worst'] = null, worstDiff = -1;
    let checked = 0;
    for (; checked < p.count && ((checked < MIN_ENTRIES && work < HARD_LIMIT * budget) || work - started < share); checked++) {
      const i = order[checked];
      const saved = p.value[i];
      const probe: LossProbe = (step) => {
        p.value[i] = saved + step;
        const moved = evaluate(firstOp[k]);
        p.value[i] = saved;
        return { loss: moved, crossed: crossedKink(watchers, base, rows) };
      };
      const { value: numeric, crossed, uncertainty } = numericDerivative(probe, h, loss);
      if (crossed >= 0) {
        kinked++;
        crossings.set(crossed, (crossings.get(crossed) ?? 0) + 1);
        continue;
      }
      const a = analytic[k][i];
      const d = Math.abs(a - numeric);
      diff2 += d * d;
      u2 += uncertainty * uncertainty;
      a2 += a * a;
      n2 += numeric * numeric;
      if (d > worstDiff) {
        worstDiff = d;
        const scale = Math.max(Math.abs(a), Math.abs(numeric));
        worst = { index: unflatten(i, p.shape), analytic: a, numeric, relError: scale === 0 ? 0 : d / scale };
      }
    }
    // The last pass ran at a moved θ: bring the buffers from this layer on back to θ, which
    // the next tensor's passes (starting at a later layer) read.
    if (checked > 0) evaluate(firstOp[k]);
    const compared = checked - kinked;
    const scale = Math.sqrt(Math.max(a2, n2));
    const relError = compared === 0 ? null : scale === 0 ? 0 : Math.sqrt(diff2) / scale;
    const noise = Math.sqrt(u2);
    const beyondNoise = compared === 0 ? null : scale === 0 ? 0 : Math.max(0, Math.sqrt(diff2) - noise) / scale;
    tensors.push({
      layer: leaf.name,
      param: p.name,
      line: leaf.line,
      shape: p.shape.slice(),
      count: p.count,
      checked,
      kinked,
      relError,
      noise,
      band: beyondNoise === null ? null : bandOf(beyondNoise),
      worst,
      kinks: [...crossings].map(([w, n]) => ({ layer: watchers[w].layer, line: watchers[w].line, kink: watchers[w].kink, entries: n })),
    });
  }
  return {
    loss,
    rows,
    h,
    tensors,
    band: tensors.reduce<GradBand | null>((b, t) => worseBand(b, t.band), null),
    entries: tensors.reduce((s, t) => s + t.count, 0),
    checked: tensors.reduce((s, t) => s + t.checked, 0),
    kinked: tensors.reduce((s, t) => s + t.kinked, 0),
  };
}

/** A seeded random order of the entries, with the largest |gradient| first. */
function entryOrder(grad: Float64Array, count: number, rng: Rng): Int32Array {
  const order = new Int32Array(count);
  let largest = 0;
  for (let i = 0; i < count; i++) {
    order[i] = i;
    if (Math.abs(grad[i]) > Math.abs(grad[largest])) largest = i;
  }
  order[largest] = 0;
  order[0] = largest;
  for (let i = count - 1; i > 1; i--) {
    const j = 1 + rng.below(i);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** Row-major flat index → index per dimension. */
function unflatten(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

/**
 * The work of a forward pass from each op to the loss, in multiply-adds: per row, the
 * parameters of each layer on the way (a product uses each once) and the values it writes.
 */
function suffixCosts(net: Network, rows: number): Float64Array {
  const perOp = net.ops.map((op) => op.forwardCost ?? op.output.width + (op.layer < 0 ? 0 : net.params.filter((p) => p.layer === op.layer).reduce((s, p) => s + p.count, 0)));
  const cost = new Float64Array(net.ops.length + 1);
  for (let i = net.ops.length - 1; i >= 0; i--) cost[i] = cost[i + 1] + rows * perOp[i];
  return cost;
}

// ---------------------------------------------------------------- kinks

/** One non-differentiable point of the network, watched through the values that decide the side. */
interface KinkWatcher {
  layer: string;
  line: number;
  kink: string;
  /** Which side of the kink every watched value is on, in the pass just run. */
  snapshot(rows: number): Int32Array;
  /** The same, compared with `base` without allocating: true when any value changed side. */
  changed(rows: number, base: Int32Array): boolean;
}

/** Index of the first watcher whose values changed side against `base`, or −1. */
function crossedKink(watchers: readonly KinkWatcher[], base: readonly Int32Array[], rows: number): number {
  for (let w = 0; w < watchers.length; w++) if (watchers[w].changed(rows, base[w])) return w;
  return -1;
}

/**
 * The kinks of this network: at 0 for the activations whose traits say so (relu, and
 * leaky_relu or elu unless alpha is 1), standalone or fused into dense and conv layers —
 * the side of 0 is read from the layer's output, which has the sign of its input; max
 * pooling's ties (which input of a window wins); MAE's at output = target.
 */
function kinkWatchers(spec: NetworkSpec, net: Network): KinkWatcher[] {
  const watchers: KinkWatcher[] = [];
  for (const leaf of spec.leaves) {
    const output = net.layerOps[leaf.index].output;
    if (leaf.kind === 'maxpool2d') {
      watchers.push(poolWatcher(leaf, net.layerOps[leaf.index].input.value, output.width));
      continue;
    }
    if (!('activation' in leaf)) continue;
    const act = leaf.activation;
    if (!activationDef(act).traits.kinkAtZero?.(leaf.alpha)) continue;
    watchers.push(sideWatcher(leaf.name, leaf.line, `${act} at 0`, output.width, (i) => (output.value[i] > 0 ? 1 : 0)));
  }
  if (spec.loss.kind === 'mae') {
    const output = net.output, target = net.target;
    watchers.push(sideWatcher('loss', -1, 'mae at output = target', output.width, (i) => {
      const d = output.value[i] - target[i];
      return d > 0 ? 2 : d < 0 ? 0 : 1;
    }));
  }
  return watchers;
}

/** Which input wins each window (first in row-major order on ties, as the op and PyTorch). */
function poolWatcher(leaf: Extract<LeafLayer, { kind: 'maxpool2d' | 'avgpool2d' }>, x: Floats, outWidth: number): KinkWatcher {
  const { height, width, kernel } = leaf;
  const outH = Math.floor(height / kernel), outW = Math.floor(width / kernel);
  const winner = (o: number): number => {
    const j = o % outW, i = Math.floor(o / outW) % outH, q = Math.floor(o / (outW * outH));
    const plane = q * height * width;
    let best = plane + i * kernel * width + j * kernel;
    for (let ki = 0; ki < kernel; ki++) {
      for (let kj = 0, at = plane + (i * kernel + ki) * width + j * kernel; kj < kernel; kj++, at++) if (x[at] > x[best]) best = at;
    }
    return best;
  };
  return {
    layer: leaf.name,
    line: leaf.line,
    kink: 'max-pool tie',
    snapshot(rows) {
      const out = new Int32Array(rows * outWidth);
      for (let o = 0; o < out.length; o++) out[o] = winner(o);
      return out;
    },
    changed(rows, base) {
      for (let o = 0, n = rows * outWidth; o < n; o++) if (winner(o) !== base[o]) return true;
      return false;
    },
  };
}

function sideWatcher(layer: string, line: number, kink: string, width: number, side: (i: number) => number): KinkWatcher {
  return {
    layer,
    line,
    kink,
    snapshot(rows) {
      const out = new Int32Array(rows * width);
      for (let i = 0; i < out.length; i++) out[i] = side(i);
      return out;
    },
    changed(rows, base) {
      const n = rows * width;
      for (let i = 0; i < n; i++) if (side(i) !== base[i]) return true;
      return false;
    },
  };
}
