// The recorded op list that reverse-mode autodiff runs over. A compiled network is a
// flat array of ops in forward order, each holding its own input and output buffers;
// forward walks it front to back, backward back to front. Every buffer is sized for the
// compiled batch, and a step may use fewer rows (the last short batch of an epoch).

import type { ParamName } from '../lang/spec';
import type { Floats } from './floats';

/** An activation [rows, width] with its gradient ∂loss/∂value, both row-major. */
export interface Tensor {
  readonly width: number;
  readonly value: Floats;
  readonly grad: Floats;
  /**
   * Whether backward must fill `grad`. False only for the data batch when nobody reads
   * its gradient (saves a whole matrix product per step).
   */
  needsGrad: boolean;
}

/** A trainable parameter tensor; `grad` is overwritten by each backward pass. */
export interface Param {
  readonly name: ParamName;
  readonly shape: number[];
  readonly count: number;
  readonly value: Floats;
  readonly grad: Floats;
  /** Leaf index of the owning layer. */
  readonly layer: number;
}

export interface Op {
  /** What the op computes, as named in NaN reports (`matmul`, `relu`, `layernorm`, `residual_add`, …). */
  readonly name: string;
  /** Leaf index of the layer this op implements; −1 for structural ops and the loss. */
  readonly layer: number;
  /** For structural ops (residual): the statement they come from, for NaN reports. */
  readonly block?: { readonly name: string; readonly line: number };
  readonly input: Tensor;
  readonly output: Tensor;
  forward(rows: number, training: boolean): void;
  /** Reads output.grad (final by then), writes param grads and, if input.needsGrad, input.grad. */
  backward(rows: number): void;
  /** After forward: the name of the first sub-step whose output is non-finite, or null. */
  forwardFault(rows: number): string | null;
  /** After backward: the same for the gradients this op wrote. */
  backwardFault(rows: number): string | null;
  /**
   * Implemented by ops whose kernels can measure the layer as they run (telemetry without
   * its own passes): from then on each training forward writes its output's sums and each
   * backward Σ(∂loss/∂output)² into `stats` (slots in kernels/measured-activations.ts).
   */
  measureInto?(stats: Float64Array): void;
  /**
   * Recurrent ops: ‖∂loss/∂h_t‖ over the batch for t = 1…T (index t − 1), written by each
   * backward pass as a by-product of back-propagation through time.
   */
  readonly timeGradNorms?: Float64Array;
  /**
   * Multiply-adds of one example's forward pass, for ops that reuse their weights many times
   * per example (a convolution at every position, a recurrent layer at every step); other
   * ops cost about their output width plus their parameter count. Work budgets read it.
   */
  readonly forwardCost?: number;
}

/** Where a pass first produced a non-finite value (filled in place, never allocated per step). */
export class Fault {
  phase: 'forward' | 'backward' | 'update' | null = null;
  /** Index into the op list (forward/backward) or the param list (update). */
  index = -1;
  op = '';

  clear(): void {
    this.phase = null;
    this.index = -1;
    this.op = '';
  }

  set(phase: 'forward' | 'backward' | 'update', index: number, op: string): void {
    this.phase = phase;
    this.index = index;
    this.op = op;
  }
}

/** Runs ops front to back; stops at the first op whose output is not finite. */
export function runForward(ops: readonly Op[], rows: number, training: boolean, fault: Fault): boolean {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    op.forward(rows, training);
    const bad = op.forwardFault(rows);
    if (bad !== null) {
      fault.set('forward', i, bad);
      return false;
    }
  }
  return true;
}

/** Runs ops back to front; stops at the first op (in backward order) that wrote a non-finite gradient. */
export function runBackward(ops: readonly Op[], rows: number, fault: Fault): boolean {
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i];
    op.backward(rows);
    const bad = op.backwardFault(rows);
    if (bad !== null) {
      fault.set('backward', i, bad);
      return false;
    }
  }
  return true;
}

export function makeTensor(width: number, value: Floats, grad: Floats): Tensor {
  return { width, value, grad, needsGrad: true };
}
