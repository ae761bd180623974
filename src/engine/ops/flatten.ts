// flatten: an image [C, H, W] or a sequence [T, F] becomes a vector of C·H·W or T·F
// values in row-major order, as torch.flatten(x, 1). Every buffer is already row-major
// per example, so the op moves nothing: its output shares the input's value and
// gradient buffers, and the layer after it reads and writes them directly. Whether that
// gradient is needed is the input's to say (the data batch usually needs none).

import type { Op, Tensor } from '../tape';

export class FlattenOp implements Op {
  readonly name = 'flatten';
  readonly output: Tensor;

  constructor(readonly layer: number, readonly input: Tensor) {
    this.output = {
      width: input.width,
      value: input.value,
      grad: input.grad,
      get needsGrad() { return input.needsGrad; },
      set needsGrad(needed: boolean) { input.needsGrad = needed; },
    };
  }

  forward(): void {}

  backward(): void {}

  forwardFault(): string | null {
    return null;
  }

  backwardFault(): string | null {
    return null;
  }
}
