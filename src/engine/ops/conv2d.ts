// conv2d on images, as PyTorch's Conv2d: x [C, H, W] per example, W [OUT, C, K, K],
// b [OUT], y [OUT, H′, W′] with H′ = ⌊(H + 2·padding − K)/stride⌋ + 1 (zero padding),
// then the fused activation.
//
// The whole batch is one matrix product: im2col lays every output position's receptive
// field out as a row, cols [rows·P, C·K·K] (P = H′·W′, column order c, ki, kj — W's
// own layout), so that zᵀ [rows·P, OUT] = cols · Wᵀ. The bias add writes z back in the
// [OUT, H′, W′] layout, and the activation follows. Backward undoes it in reverse:
// dz = dy ⊙ f′(z), db = Σ dz per channel, dzᵀ, then the windows' products (conv.ts).

import { allocate, type DType, type Floats } from '../floats';
import { activate, activationGrad, type ElementwiseKind } from '../kernels/activations';
import { makeTensor, type Op, type Param, type Tensor } from '../tape';
import { ConvWindows, convBackwardFault, convForwardFault, convOutputSize } from './conv';

/** A convolution's sizes: input channels × height × width, OUT filters of K×K. */
export interface Conv2dGeometry {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly filters: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
}

export class Conv2dOp implements Op {
  readonly name = 'conv2d';
  readonly output: Tensor;
  readonly forwardCost: number;
  private readonly windows: ConvWindows;
  /** Pre-activation in position-major order, [capacity·P, OUT]; also holds dzᵀ in backward. */
  private readonly zT: Floats;
  /** Pre-activation [capacity, OUT, H′, W′]; the output buffer itself when linear. */
  private readonly z: Floats;
  /** ∂loss/∂z [capacity, OUT, H′, W′]; the output gradient itself when linear. */
  private readonly dz: Floats;

  constructor(
    readonly layer: number,
    readonly input: Tensor,
    private readonly geometry: Conv2dGeometry,
    private readonly weight: Param,
    private readonly bias: Param | null,
    private readonly activation: ElementwiseKind,
    private readonly alpha: number,
    dtype: DType,
    capacity: number,
  ) {
    const { channels, height, width, filters, kernel, stride, padding } = geometry;
    const outHeight = convOutputSize(height, kernel, stride, padding), outWidth = convOutputSize(width, kernel, stride, padding);
    this.windows = new ConvWindows(
      {
        channels, height, width, channelStride: height * width, rowStride: width, columnStride: 1,
        kernelHeight: kernel, kernelWidth: kernel, stride, padHeight: padding, padWidth: padding, outHeight, outWidth,
      },
      dtype,
      capacity,
    );
    const { positions, field } = this.windows;
    const size = capacity * filters * positions;
    const y = allocate(dtype, size), dy = allocate(dtype, size);
    this.output = makeTensor(filters * positions, y, dy);
    const linear = activation === 'linear';
    this.z = linear ? y : allocate(dtype, size);
    this.dz = linear ? dy : allocate(dtype, size);
    this.zT = allocate(dtype, size);
    this.forwardCost = positions * (filters * field + field + filters);
  }

  forward(rows: number): void {
    const { filters } = this.geometry;
    const positions = this.windows.positions;
    this.windows.forward(this.input.value, this.weight.value, this.zT, rows, filters);
    // zᵀ [rows·P, OUT] → z [rows, OUT, P], adding the bias on the way.
    const zT = this.zT, z = this.z, b = this.bias === null ? null : this.bias.value;
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < filters; o++) {
        const bo = b === null ? 0 : b[o];
        for (let p = 0, src = r * positions * filters + o, dst = (r * filters + o) * positions; p < positions; p++, src += filters) {
          z[dst + p] = zT[src] + bo;
        }
      }
    }
    activate(z, this.output.value, rows * filters * positions, this.activation, this.alpha);
  }

  backward(rows: number): void {
    const { filters } = this.geometry;
    const positions = this.windows.positions;
    const dz = this.dz, dzT = this.zT;
    activationGrad(this.z, this.output.value, this.output.grad, dz, rows * filters * positions, this.activation, this.alpha);
    // dz [rows, OUT, P] → dzᵀ [rows·P, OUT], summing each channel into db on the way.
    const db = this.bias === null ? null : this.bias.grad;
    if (db !== null) for (let o = 0; o < filters; o++) db[o] = 0;
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < filters; o++) {
        let sum = 0;
        for (let p = 0, src = (r * filters + o) * positions, dst = r * positions * filters + o; p < positions; p++, dst += filters) {
          const g = dz[src + p];
          dzT[dst] = g;
          sum += g;
        }
        if (db !== null) db[o] += sum;
      }
    }
    this.windows.backward(dzT, this.weight, this.input, rows, filters);
  }

  forwardFault(rows: number): string | null {
    return convForwardFault('conv2d', this.activation, this.z, this.output.value, rows * this.output.width);
  }

  backwardFault(rows: number): string | null {
    return convBackwardFault('conv2d', this.activation, this.bias, this.weight, this.input, rows);
  }
}
