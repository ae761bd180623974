// An activation layer: y = f(x) element-wise (or softmax over each row's features);
// backward multiplies by the local derivative (for softmax, its Jacobian-vector product).

import type { ActivationKind } from '../../lang/spec';
import { allFinite, allocate, type DType } from '../floats';
import { activate, activationGrad, softmaxRows, softmaxRowsGrad } from '../kernels/activations';
import { makeTensor, type Op, type Tensor } from '../tape';

export class ActivationOp implements Op {
  readonly output: Tensor;
  private readonly width: number;

  constructor(
    readonly layer: number,
    readonly input: Tensor,
    readonly name: ActivationKind,
    private readonly alpha: number,
    dtype: DType,
    capacity: number,
  ) {
    this.width = input.width;
    this.output = makeTensor(this.width, allocate(dtype, capacity * this.width), allocate(dtype, capacity * this.width));
  }

  forward(rows: number): void {
    if (this.name === 'softmax') softmaxRows(this.input.value, this.output.value, rows, this.width);
    else activate(this.input.value, this.output.value, rows * this.width, this.name, this.alpha);
  }

  backward(rows: number): void {
    if (!this.input.needsGrad) return;
    if (this.name === 'softmax') softmaxRowsGrad(this.output.value, this.output.grad, this.input.grad, rows, this.width);
    else activationGrad(this.input.value, this.output.value, this.output.grad, this.input.grad, rows * this.width, this.name, this.alpha);
  }

  forwardFault(rows: number): string | null {
    return allFinite(this.output.value, rows * this.width) ? null : this.name;
  }

  backwardFault(rows: number): string | null {
    if (!this.input.needsGrad) return null;
    return allFinite(this.input.grad, rows * this.width) ? null : this.name;
  }
}
