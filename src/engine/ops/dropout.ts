// dropout RATE, inverted: in training each value is kept with probability 1 − rate and
// scaled by 1/(1 − rate), so evaluation is the identity. The mask is drawn from the
// network's seeded dropout stream and kept for backward: dx = dy ⊙ mask.

import { allFinite, allocate, type DType, type Floats } from '../floats';
import type { Rng } from '../rng';
import { makeTensor, type Op, type Tensor } from '../tape';

export class DropoutOp implements Op {
  readonly name = 'dropout';
  readonly output: Tensor;
  /** 0 or 1/(1 − rate) per value of the last training forward; all 1 after an evaluation forward. */
  readonly mask: Floats;
  private readonly width: number;
  /** Uniform draws in double precision, so a float32 mask keeps exactly P(drop) = rate. */
  private readonly draws: Float64Array;

  constructor(
    readonly layer: number,
    readonly input: Tensor,
    private readonly rate: number,
    private readonly rng: Rng,
    dtype: DType,
    capacity: number,
  ) {
    this.width = input.width;
    const size = capacity * this.width;
    this.output = makeTensor(this.width, allocate(dtype, size), allocate(dtype, size));
    this.mask = allocate(dtype, size);
    this.draws = new Float64Array(size);
  }

  forward(rows: number, training: boolean): void {
    const n = rows * this.width, x = this.input.value, y = this.output.value, mask = this.mask;
    if (training && this.rate > 0) {
      const keep = 1 / (1 - this.rate), rate = this.rate;
      const draws = this.draws;
      this.rng.uniforms(draws, n);
      for (let i = 0; i < n; i++) mask[i] = draws[i] < rate ? 0 : keep;
    } else {
      for (let i = 0; i < n; i++) mask[i] = 1;
    }
    for (let i = 0; i < n; i++) y[i] = x[i] * mask[i];
  }

  backward(rows: number): void {
    if (!this.input.needsGrad) return;
    const n = rows * this.width, dy = this.output.grad, dx = this.input.grad, mask = this.mask;
    for (let i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
  }

  forwardFault(rows: number): string | null {
    return allFinite(this.output.value, rows * this.width) ? null : this.name;
  }

  backwardFault(rows: number): string | null {
    if (!this.input.needsGrad) return null;
    return allFinite(this.input.grad, rows * this.width) ? null : this.name;
  }
}
