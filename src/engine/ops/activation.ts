// An activation layer: y = f(x) element-wise (or softmax over each row's features);
// backward multiplies by the local derivative (for softmax, its Jacobian-vector product).
// The kernels are the kind's own (src/kinds/activations/); with telemetry on, the
// element-wise passes also measure y and dy (measured-activations.ts).

import { allFinite, allocate, type DType } from '../floats';
import type { ActivationDef } from '../../kinds/activation';
import { ACTIVATIONS, type ActivationKind, type ElementwiseKind } from '../../kinds/activations';
import { activateMeasured, activationGradMeasured, measureGradient, measuresOutputInBackward, measureValues } from '../kernels/measured-activations';
import { makeTensor, type Op, type Tensor } from '../tape';

export class ActivationOp implements Op {
  readonly output: Tensor;
  private readonly width: number;
  private readonly def: ActivationDef;
  /** Where the layer's telemetry goes when the recorder asked for it (see Op.measureInto). */
  private stats: Float64Array | null = null;

  constructor(
    readonly layer: number,
    readonly input: Tensor,
    readonly name: ActivationKind,
    private readonly alpha: number,
    dtype: DType,
    capacity: number,
  ) {
    this.width = input.width;
    this.def = ACTIVATIONS[name];
    this.output = makeTensor(this.width, allocate(dtype, capacity * this.width), allocate(dtype, capacity * this.width));
  }

  measureInto(stats: Float64Array): void {
    this.stats = stats;
  }

  forward(rows: number, training: boolean): void {
    const x = this.input.value, y = this.output.value, n = rows * this.width, stats = training ? this.stats : null, def = this.def;
    if (!def.elementwise) {
      def.forward(x, y, rows, this.width);
      if (stats !== null) measureValues(y, n, this.name, stats);
    } else if (stats === null) def.forward(x, y, n, this.alpha);
    else activateMeasured(x, y, n, this.name as ElementwiseKind, this.alpha, stats);
  }

  backward(rows: number): void {
    const n = rows * this.width, stats = this.stats, def = this.def;
    if (!def.elementwise || !this.input.needsGrad) {
      // No element-wise kernel reads y and dy here to measure them on the way.
      if (stats !== null) {
        measureGradient(this.output.grad, n, stats);
        if (measuresOutputInBackward(this.name)) measureValues(this.output.value, n, this.name, stats);
      }
      if (!def.elementwise && this.input.needsGrad) def.backward(this.output.value, this.output.grad, this.input.grad, rows, this.width);
      return;
    }
    if (stats === null) def.backward(this.input.value, this.output.value, this.output.grad, this.input.grad, n, this.alpha);
    else activationGradMeasured(this.input.value, this.output.value, this.output.grad, this.input.grad, n, this.name as ElementwiseKind, this.alpha, stats);
  }

  forwardFault(rows: number): string | null {
    return allFinite(this.output.value, rows * this.width) ? null : this.name;
  }

  backwardFault(rows: number): string | null {
    if (!this.input.needsGrad) return null;
    return allFinite(this.input.grad, rows * this.width) ? null : this.name;
  }
}
