// What rnn, lstm and gru share: PyTorch's parameter layout (W_ih [G·H, F], W_hh [G·H, H],
// b_ih, b_hh [G·H], gates stacked in PyTorch's order), h₀ = 0, the sequence plumbing, and
// back-propagation through time. Each cell (rnn.ts, lstm.ts, gru.ts) supplies one step
// forward and one step back; this file does the rest:
//
//   forward  x [rows, T, F] → time-major xᵀ [T, rows, F]; the input projections of every
//            step in one product, xp = xᵀ·W_ihᵀ + b_ih [T, rows, G·H]; then the cell, step by
//            step, h_t from h_{t−1} (the recurrent product W_hh·h_{t−1} is per step);
//            y = the last h_T [rows, H], or with sequences=true every h_t as [rows, T, H].
//   backward from t = T down to 1: ∂L/∂h_t = (∂L/∂y at t) + (what step t+1 sent back);
//            its norm is recorded per step (timeGradNorms); the cell turns it into the
//            pre-activation gradients of step t, dGx (input side) and dGh (recurrent side;
//            the same buffer except in gru), and sends ∂L/∂h_{t−1} back. Then the weight
//            gradients of all steps at once: dW_ih = dGxᵀ·xᵀ, dW_hh = dGhᵀ·h_{0…T−1},
//            db = column sums, dx = dGx·W_ih, transposed back to [rows, T, F].
//
// Every per-step buffer is a slot of capacity rows, so per-step views are made once here
// and a short batch uses the first `rows` rows of each slot. The products over all steps
// cover whole slots; the unused rows of dGx/dGh are zeroed so they add nothing.

import { allFinite, allocate, type DType, type Floats } from '../floats';
import { addBias } from '../kernels/activations';
import { gemm, gemmNT, gemmTN } from '../kernels/gemm';
import { sumRows } from '../kernels/reduce';
import { makeTensor, type Op, type Param, type Tensor } from '../tape';

/** A recurrent layer's sizes: T steps of F features in, H hidden units, G gates. */
export interface RecurrentGeometry {
  readonly steps: number;
  readonly features: number;
  readonly hidden: number;
  /** true: the output is every hidden state [T, H]; false: the last one [H]. */
  readonly sequences: boolean;
}

export interface RecurrentParams {
  readonly wIh: Param;
  readonly wHh: Param;
  readonly bIh: Param | null;
  readonly bHh: Param | null;
}

export abstract class RecurrentOp implements Op {
  abstract readonly name: string;
  readonly output: Tensor;
  /** ‖∂L/∂h_t‖ over the batch for t = 1…T (index t − 1), written by each backward. */
  readonly timeGradNorms: Float64Array;
  readonly forwardCost: number;
  protected readonly steps: number;
  protected readonly hidden: number;
  protected readonly features: number;
  /** G·H: the width of every gate row. */
  protected readonly gateWidth: number;
  protected readonly capacity: number;
  /** Input projections xᵀ·W_ihᵀ + b_ih of every step, [T, capacity, G·H]. */
  protected readonly xp: Floats;
  /** The recurrent product W_hh·h_{t−1} + b_hh of the current step, [capacity, G·H]. */
  protected readonly hp: Floats;
  /** h₀ … h_T, [T + 1, capacity, H]; slot 0 stays zero. */
  protected readonly hs: Floats;
  /** Pre-activation gradients of every step, input side and recurrent side, [T, capacity, G·H]. */
  protected readonly dGx: Floats;
  protected readonly dGh: Floats;
  /** ∂L/∂h_t of the step being undone and ∂L/∂h_{t−1} being formed, [capacity, H]. */
  protected dh: Floats;
  protected dhPrev: Floats;
  private readonly xT: Floats;
  private readonly dxT: Floats;
  /** hs slot t as its own array (a product reads it from offset 0). */
  protected readonly hSlot: Floats[] = [];
  private readonly dGhSlot: Floats[] = [];

  constructor(
    readonly layer: number,
    readonly input: Tensor,
    protected readonly geometry: RecurrentGeometry,
    gates: number,
    protected readonly params: RecurrentParams,
    dtype: DType,
    capacity: number,
  ) {
    const { steps, features, hidden } = geometry;
    this.steps = steps;
    this.features = features;
    this.hidden = hidden;
    this.gateWidth = gates * hidden;
    this.capacity = capacity;
    const width = geometry.sequences ? steps * hidden : hidden;
    this.output = makeTensor(width, allocate(dtype, capacity * width), allocate(dtype, capacity * width));
    this.timeGradNorms = new Float64Array(steps);
    // Both products at every step, and the gate arithmetic (a few transcendentals per gate).
    this.forwardCost = steps * this.gateWidth * (features + hidden + 8);
    const slots = steps * capacity;
    this.xT = allocate(dtype, slots * features);
    this.dxT = allocate(dtype, slots * features);
    this.xp = allocate(dtype, slots * this.gateWidth);
    this.hp = allocate(dtype, capacity * this.gateWidth);
    this.hs = allocate(dtype, (steps + 1) * capacity * hidden);
    this.dGx = allocate(dtype, slots * this.gateWidth);
    this.dGh = this.separateRecurrentGradient ? allocate(dtype, slots * this.gateWidth) : this.dGx;
    this.dh = allocate(dtype, capacity * hidden);
    this.dhPrev = allocate(dtype, capacity * hidden);
    for (let t = 0; t <= steps; t++) this.hSlot.push(this.hs.subarray(t * capacity * hidden, (t + 1) * capacity * hidden));
    for (let t = 0; t < steps; t++) this.dGhSlot.push(this.dGh.subarray(t * capacity * this.gateWidth, (t + 1) * capacity * this.gateWidth));
  }

  /** True when the recurrent side's pre-activation gradient differs from the input side's (gru). */
  protected get separateRecurrentGradient(): boolean {
    return false;
  }

  /** h_t (hs slot t) from h_{t−1}, xp slot t − 1 and hp; t runs 1…T. */
  protected abstract step(t: number, rows: number): void;

  /**
   * From dh = ∂L/∂h_t: the pre-activation gradients of step t into dGx/dGh slot t − 1,
   * and the part of ∂L/∂h_{t−1} that does not go through W_hh into dhPrev (0 for rnn
   * and lstm; the base adds dGh·W_hh).
   */
  protected abstract stepBack(t: number, rows: number): void;

  /** Called before the backward loop (lstm clears its cell-state gradient). */
  protected beginBackward(_rows: number): void {}

  /** hp = h_{t−1}·W_hhᵀ + b_hh for the current step. */
  protected recurrentProduct(t: number, rows: number): void {
    gemmNT(this.hSlot[t - 1], this.params.wHh.value, this.hp, rows, this.gateWidth, this.hidden);
    if (this.params.bHh !== null) addBias(this.hp, this.params.bHh.value, rows, this.gateWidth);
  }

  forward(rows: number): void {
    const { steps, features, hidden, capacity } = this;
    const x = this.input.value, xT = this.xT;
    for (let t = 0; t < steps; t++) {
      const slot = t * capacity * features;
      for (let r = 0; r < rows; r++) {
        for (let f = 0, src = (r * steps + t) * features, dst = slot + r * features; f < features; f++) xT[dst + f] = x[src + f];
      }
      // The products below cover whole slots: unused rows must be finite, so zero.
      if (rows < capacity) xT.fill(0, slot + rows * features, slot + capacity * features);
    }
    gemmNT(xT, this.params.wIh.value, this.xp, steps * capacity, this.gateWidth, features);
    if (this.params.bIh !== null) addBias(this.xp, this.params.bIh.value, steps * capacity, this.gateWidth);
    for (let t = 1; t <= steps; t++) this.step(t, rows);

    const y = this.output.value, hs = this.hs;
    if (this.geometry.sequences) {
      for (let r = 0; r < rows; r++) {
        for (let t = 1; t <= steps; t++) {
          for (let j = 0, src = (t * capacity + r) * hidden, dst = (r * steps + t - 1) * hidden; j < hidden; j++) y[dst + j] = hs[src + j];
        }
      }
    } else {
      for (let i = 0, src = steps * capacity * hidden; i < rows * hidden; i++) y[i] = hs[src + i];
    }
  }

  backward(rows: number): void {
    const { steps, features, hidden, capacity, gateWidth } = this;
    const dy = this.output.grad, sequences = this.geometry.sequences, n = rows * hidden;
    this.dh.fill(0, 0, n);
    this.beginBackward(rows);
    for (let t = steps; t >= 1; t--) {
      const dh = this.dh;
      if (sequences) {
        for (let r = 0; r < rows; r++) {
          for (let j = 0, src = (r * steps + t - 1) * hidden, dst = r * hidden; j < hidden; j++) dh[dst + j] += dy[src + j];
        }
      } else if (t === steps) {
        for (let i = 0; i < n; i++) dh[i] += dy[i];
      }
      let squares = 0;
      for (let i = 0; i < n; i++) squares += dh[i] * dh[i];
      this.timeGradNorms[t - 1] = Math.sqrt(squares);

      this.stepBack(t, rows);
      const slot = (t - 1) * capacity * gateWidth;
      if (rows < capacity) {
        this.dGx.fill(0, slot + rows * gateWidth, slot + capacity * gateWidth);
        if (this.dGh !== this.dGx) this.dGh.fill(0, slot + rows * gateWidth, slot + capacity * gateWidth);
      }
      if (t > 1) {
        // ∂L/∂h_{t−1} = (the cell's direct part, in dhPrev) + dGh_t·W_hh; h₀ is no parameter.
        gemm(this.dGhSlot[t - 1], this.params.wHh.value, this.dh, rows, gateWidth, hidden);
        const next = this.dhPrev;
        for (let i = 0; i < n; i++) next[i] += dh[i];
        this.dhPrev = dh;
        this.dh = next;
      }
    }

    const all = steps * capacity;
    gemmTN(this.dGx, this.xT, this.params.wIh.grad, all, gateWidth, features);
    gemmTN(this.dGh, this.hs, this.params.wHh.grad, all, gateWidth, hidden);
    if (this.params.bIh !== null) sumRows(this.dGx, this.params.bIh.grad, all, gateWidth);
    if (this.params.bHh !== null) sumRows(this.dGh, this.params.bHh.grad, all, gateWidth);
    if (!this.input.needsGrad) return;
    const dxT = this.dxT, dx = this.input.grad;
    gemm(this.dGx, this.params.wIh.value, dxT, all, gateWidth, features);
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < steps; t++) {
        for (let f = 0, src = (t * capacity + r) * features, dst = (r * steps + t) * features; f < features; f++) dx[dst + f] = dxT[src + f];
      }
    }
  }

  forwardFault(rows: number): string | null {
    return allFinite(this.output.value, rows * this.output.width) ? null : this.name;
  }

  backwardFault(rows: number): string | null {
    const { wIh, wHh, bIh, bHh } = this.params;
    if (!allFinite(wIh.grad, wIh.count) || !allFinite(wHh.grad, wHh.count)) return this.name;
    if ((bIh !== null && !allFinite(bIh.grad, bIh.count)) || (bHh !== null && !allFinite(bHh.grad, bHh.count))) return this.name;
    if (this.input.needsGrad && !allFinite(this.input.grad, rows * this.input.width)) return this.name;
    return null;
  }
}
