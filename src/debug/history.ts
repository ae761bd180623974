// The debugger's recorded window: the last N training steps with everything the Variables
// view and the expression language read — the step's telemetry frame, its per-layer flags,
// and every parameter's weights (as the step read them, before its update) and gradients.
// Going back in time and forward again replays these records; training is deterministic,
// so a replayed step is the step that was computed. Storage is a ring of N slots, each
// allocated the first time it is used and then reused: memory is N × (weights + grads),
// whatever the run's length.

import type { NonFiniteReport, StepFrame } from '../engine/telemetry';
import type { Param } from '../engine/tape';
import type { LayerFinding } from '../analysis/types';

/** One step, as recorded. */
export interface StepRecord {
  step: number;
  epoch: number;
  loss: number;
  /** Undefined for a step that produced NaN/Inf before its telemetry was measured. */
  frame: StepFrame | undefined;
  /** The gradient-health findings of this step alone, by leaf index (the analysis, per step). */
  findings: Map<number, LayerFinding[]>;
  /** Set when this step produced a NaN or Inf: training cannot go on past it. */
  nonFinite?: NonFiniteReport;
}

/** A parameter's values at a recorded step. */
export interface ParamValues {
  weights: Float32Array | Float64Array;
  grads: Float32Array | Float64Array;
}

interface Slot {
  record: StepRecord;
  weights: (Float32Array | Float64Array)[];
  grads: (Float32Array | Float64Array)[];
}

export class StepHistory {
  private readonly slots: (Slot | undefined)[];
  /** Slot of the newest record; -1 when empty. */
  private newest = -1;
  private size = 0;
  readonly bytesPerStep: number;

  constructor(private readonly params: readonly Param[], readonly capacity: number) {
    this.slots = new Array(capacity);
    this.bytesPerStep = params.reduce((sum, p) => sum + 2 * p.value.byteLength, 0);
  }

  /** Bytes held now (slots are allocated on first use). */
  get bytes(): number {
    return this.size * this.bytesPerStep;
  }

  get length(): number {
    return this.size;
  }

  get oldestStep(): number | undefined {
    return this.size === 0 ? undefined : this.slotAt(this.size - 1).record.step;
  }

  get newestStep(): number | undefined {
    return this.size === 0 ? undefined : this.slotAt(0).record.step;
  }

  /**
   * Records a step from the live network: call after backward and before the update, so the
   * weights are those the gradients were computed at. The record is completed by the caller.
   */
  push(record: StepRecord): void {
    this.newest = (this.newest + 1) % this.capacity;
    let slot = this.slots[this.newest];
    if (!slot) {
      slot = {
        record,
        weights: this.params.map((p) => p.value.slice()),
        grads: this.params.map((p) => p.grad.slice()),
      };
      this.slots[this.newest] = slot;
    } else {
      slot.record = record;
      this.params.forEach((p, k) => {
        slot!.weights[k].set(p.value);
        slot!.grads[k].set(p.grad);
      });
    }
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** The record of `step`, if it is still in the window. */
  record(step: number): StepRecord | undefined {
    return this.find(step)?.record;
  }

  /** Parameter k's weights and gradients at `step`, if it is still in the window. */
  values(step: number, k: number): ParamValues | undefined {
    const slot = this.find(step);
    return slot && { weights: slot.weights[k], grads: slot.grads[k] };
  }

  private find(step: number): Slot | undefined {
    const newest = this.newestStep;
    if (newest === undefined) return undefined;
    const back = newest - step;
    if (back < 0 || back >= this.size) return undefined;
    const slot = this.slotAt(back);
    return slot.record.step === step ? slot : undefined;
  }

  /** The slot `back` steps before the newest. */
  private slotAt(back: number): Slot {
    return this.slots[(this.newest - back + this.capacity) % this.capacity]!;
  }
}
