// residual { body }: y = x + body(x). Two ops bracket the body on the tape:
// ResidualAddOp after it (forward y = x + b; backward db = dy), and ResidualForkOp before
// it, whose backward runs once the body has written dx and adds the skip path: dx += dy.

import { allFinite, allocate, type DType } from '../floats';
import { makeTensor, type Op, type Tensor } from '../tape';

export class ResidualAddOp implements Op {
  readonly name = 'residual_add';
  readonly layer = -1;
  readonly output: Tensor;

  constructor(
    readonly block: { readonly name: string; readonly line: number },
    /** The block's input x (the skip path). */
    readonly skip: Tensor,
    /** The body's output, body(x). */
    readonly input: Tensor,
    dtype: DType,
    capacity: number,
  ) {
    const w = skip.width;
    this.output = makeTensor(w, allocate(dtype, capacity * w), allocate(dtype, capacity * w));
  }

  forward(rows: number): void {
    const n = rows * this.output.width, x = this.skip.value, b = this.input.value, y = this.output.value;
    for (let i = 0; i < n; i++) y[i] = x[i] + b[i];
  }

  backward(rows: number): void {
    if (!this.input.needsGrad) return;
    const n = rows * this.output.width, dy = this.output.grad, db = this.input.grad;
    for (let i = 0; i < n; i++) db[i] = dy[i];
  }

  forwardFault(rows: number): string | null {
    return allFinite(this.output.value, rows * this.output.width) ? null : this.name;
  }

  backwardFault(): string | null {
    return null; // copies a gradient already checked downstream
  }
}

export class ResidualForkOp implements Op {
  readonly name = 'residual_add';
  readonly layer = -1;

  /** Set once the body and its add op are built (the fork is recorded before them). */
  private add: ResidualAddOp | null = null;

  constructor(
    readonly block: { readonly name: string; readonly line: number },
    readonly input: Tensor,
  ) {}

  connect(add: ResidualAddOp): void {
    this.add = add;
  }

  /** The fork passes x through unchanged: the body reads the same buffer. */
  get output(): Tensor {
    return this.input;
  }

  forward(): void {}

  backward(rows: number): void {
    if (!this.input.needsGrad || this.add === null) return;
    const n = rows * this.input.width, dy = this.add.output.grad, dx = this.input.grad;
    for (let i = 0; i < n; i++) dx[i] += dy[i];
  }

  forwardFault(): string | null {
    return null;
  }

  backwardFault(rows: number): string | null {
    if (!this.input.needsGrad) return null;
    return allFinite(this.input.grad, rows * this.input.width) ? null : this.name;
  }
}
