// dense: y = f(x·W + b), W [in, out] row-major. Matmul, bias add and the activation run
// fused (one matrix product, then one pass for bias + activation); backward undoes them
// in reverse: dz = dy ⊙ f′(z), db = Σ_rows dz, dW = xᵀ·dz, dx = dz·Wᵀ. With telemetry on,
// the activation passes also measure y and dy (measured-activations.ts).

import { allFinite, allocate, type DType, type Floats } from '../floats';
import { activationGrad, addBias, biasActivate, type ElementwiseKind } from '../kernels/activations';
import { gemm, gemmNT, gemmTN } from '../kernels/gemm';
import { activateMeasured, activationGradMeasured } from '../kernels/measured-activations';
import { sumRows } from '../kernels/reduce';
import { makeTensor, type Op, type Param, type Tensor } from '../tape';

export class DenseOp implements Op {
  readonly name = 'dense';
  readonly output: Tensor;
  /** Pre-activation x·W + b; the output buffer itself when the activation is linear. */
  private readonly z: Floats;
  /** ∂loss/∂z; the output gradient itself when the activation is linear. */
  private readonly dz: Floats;
  private readonly inWidth: number;
  private readonly outWidth: number;
  /** Where the layer's telemetry goes when the recorder asked for it (see Op.measureInto). */
  private stats: Float64Array | null = null;

  constructor(
    readonly layer: number,
    readonly input: Tensor,
    private readonly weight: Param,
    private readonly bias: Param | null,
    private readonly activation: ElementwiseKind,
    private readonly alpha: number,
    dtype: DType,
    capacity: number,
  ) {
    this.inWidth = input.width;
    this.outWidth = weight.shape[1];
    const size = capacity * this.outWidth;
    const y = allocate(dtype, size);
    const dy = allocate(dtype, size);
    this.output = makeTensor(this.outWidth, y, dy);
    const linear = activation === 'linear';
    this.z = linear ? y : allocate(dtype, size);
    this.dz = linear ? dy : allocate(dtype, size);
  }

  measureInto(stats: Float64Array): void {
    this.stats = stats;
  }

  forward(rows: number, training: boolean): void {
    gemm(this.input.value, this.weight.value, this.z, rows, this.inWidth, this.outWidth);
    const b = this.bias === null ? null : this.bias.value;
    // Telemetry describes training steps; an evaluation pass runs the plain kernels.
    if (this.stats === null || !training) {
      biasActivate(this.z, b, this.output.value, rows, this.outWidth, this.activation, this.alpha);
    } else {
      if (b !== null) addBias(this.z, b, rows, this.outWidth);
      activateMeasured(this.z, this.output.value, rows * this.outWidth, this.activation, this.alpha, this.stats);
    }
  }

  backward(rows: number): void {
    const n = rows * this.outWidth;
    if (this.stats === null) activationGrad(this.z, this.output.value, this.output.grad, this.dz, n, this.activation, this.alpha);
    else activationGradMeasured(this.z, this.output.value, this.output.grad, this.dz, n, this.activation, this.alpha, this.stats);
    if (this.bias !== null) sumRows(this.dz, this.bias.grad, rows, this.outWidth);
    gemmTN(this.input.value, this.dz, this.weight.grad, rows, this.inWidth, this.outWidth);
    if (this.input.needsGrad) gemmNT(this.dz, this.weight.value, this.input.grad, rows, this.inWidth, this.outWidth);
  }

  forwardFault(rows: number): string | null {
    const n = rows * this.outWidth;
    if (this.z !== this.output.value && !allFinite(this.z, n)) return 'matmul';
    if (!allFinite(this.output.value, n)) return this.activation === 'linear' ? 'matmul' : this.activation;
    return null;
  }

  backwardFault(rows: number): string | null {
    // db holds dz's column sums, so a finite db means a finite Σdz: the same test allFinite(dz)
    // makes, without a pass over the batch. A non-finite dz shows first in db.
    if (this.bias !== null) {
      if (!allFinite(this.bias.grad, this.bias.count)) return this.activation === 'linear' ? 'bias_add' : this.activation;
    } else if (this.dz !== this.output.grad && !allFinite(this.dz, rows * this.outWidth)) {
      return this.activation;
    }
    if (!allFinite(this.weight.grad, this.weight.count)) return 'matmul';
    if (this.input.needsGrad && !allFinite(this.input.grad, rows * this.inWidth)) return 'matmul';
    return null;
  }
}
