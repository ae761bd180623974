// conv1d on sequences, as PyTorch's Conv1d on the transposed example: x [T, F] per
// example (F features are the input channels), W [OUT, F, K], b [OUT], y [T′, OUT] with
// T′ = ⌊(T + 2·padding − K)/stride⌋ + 1 (zero padding), then the fused activation.
//
// One matrix product for the batch: im2col lays every output step's window out as a row,
// cols [rows·T′, F·K] (column order f, k — W's own layout), so z [rows·T′, OUT] =
// cols · Wᵀ is already the [T′, OUT] layout. Backward: dz = dy ⊙ f′(z), db = Σ_rows dz,
// then the windows' products (conv.ts). The windows are conv2d's with H = 1: a sequence
// is a 1×T image whose F channels are adjacent (channel stride 1, column stride F).

import { allocate, type DType, type Floats } from '../floats';
import { activate, activationGrad, addBias, type ElementwiseKind } from '../kernels/activations';
import { sumRows } from '../kernels/reduce';
import { makeTensor, type Op, type Param, type Tensor } from '../tape';
import { ConvWindows, convBackwardFault, convForwardFault, convOutputSize } from './conv';

/** A 1-d convolution's sizes: T steps of F features, OUT filters of K steps. */
export interface Conv1dGeometry {
  readonly steps: number;
  readonly features: number;
  readonly filters: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
}

export class Conv1dOp implements Op {
  readonly name = 'conv1d';
  readonly output: Tensor;
  readonly forwardCost: number;
  private readonly windows: ConvWindows;
  /** Pre-activation [capacity·T′, OUT]; the output buffer itself when linear. */
  private readonly z: Floats;
  /** ∂loss/∂z; the output gradient itself when linear. */
  private readonly dz: Floats;

  constructor(
    readonly layer: number,
    readonly input: Tensor,
    private readonly geometry: Conv1dGeometry,
    private readonly weight: Param,
    private readonly bias: Param | null,
    private readonly activation: ElementwiseKind,
    private readonly alpha: number,
    dtype: DType,
    capacity: number,
  ) {
    const { steps, features, filters, kernel, stride, padding } = geometry;
    const outSteps = convOutputSize(steps, kernel, stride, padding);
    this.windows = new ConvWindows(
      {
        channels: features, height: 1, width: steps, channelStride: 1, rowStride: steps * features, columnStride: features,
        kernelHeight: 1, kernelWidth: kernel, stride, padHeight: 0, padWidth: padding, outHeight: 1, outWidth: outSteps,
      },
      dtype,
      capacity,
    );
    const size = capacity * outSteps * filters;
    const y = allocate(dtype, size), dy = allocate(dtype, size);
    this.output = makeTensor(outSteps * filters, y, dy);
    const linear = activation === 'linear';
    this.z = linear ? y : allocate(dtype, size);
    this.dz = linear ? dy : allocate(dtype, size);
    this.forwardCost = outSteps * (filters * features * kernel + features * kernel + filters);
  }

  forward(rows: number): void {
    const { filters } = this.geometry;
    const positions = rows * this.windows.positions;
    this.windows.forward(this.input.value, this.weight.value, this.z, rows, filters);
    if (this.bias !== null) addBias(this.z, this.bias.value, positions, filters);
    activate(this.z, this.output.value, positions * filters, this.activation, this.alpha);
  }

  backward(rows: number): void {
    const { filters } = this.geometry;
    const positions = rows * this.windows.positions;
    activationGrad(this.z, this.output.value, this.output.grad, this.dz, positions * filters, this.activation, this.alpha);
    if (this.bias !== null) sumRows(this.dz, this.bias.grad, positions, filters);
    this.windows.backward(this.dz, this.weight, this.input, rows, filters);
  }

  forwardFault(rows: number): string | null {
    return convForwardFault('conv1d', this.activation, this.z, this.output.value, rows * this.output.width);
  }

  backwardFault(rows: number): string | null {
    return convBackwardFault('conv1d', this.activation, this.bias, this.weight, this.input, rows);
  }
}
