// Compile a checked network once for a batch size: build the op list (the tape), create
// and initialise every parameter, and allocate every buffer a step will touch. After
// this nothing is allocated until the network is dropped; a step may use fewer rows
// than the compiled batch (the last short batch of an epoch, a validation chunk).

import type { LayerNode, LeafLayer, NetworkSpec, ParamName } from '../lang/spec';
import type { NonFiniteReport } from './telemetry';
import type { Split } from './data/dataset';
import { allocate, type DType, type Floats } from './floats';
import { initWeights } from './init';
import { kindOf } from '../kinds/layers';
import { LossOp } from './ops/loss';
import { ResidualAddOp, ResidualForkOp } from './ops/residual';
import { Rng } from './rng';
import { Fault, makeTensor, runBackward, runForward, type Op, type Param, type Tensor } from './tape';

export interface CompileOptions {
  dtype?: DType;
  /** Rows the buffers hold; default: the spec's batch. */
  batch?: number;
}

/** Independent random streams drawn from the train seed. */
export const STREAM_INIT = 1, STREAM_SHUFFLE = 2, STREAM_DROPOUT = 3;

export class Network {
  readonly dtype: DType;
  /** Most rows a pass can take. */
  readonly capacity: number;
  /** The data batch [capacity, inputWidth]. */
  readonly input: Tensor;
  /** Forward order; the loss is last. */
  readonly ops: Op[] = [];
  /** The op implementing each leaf layer, by leaf index. */
  readonly layerOps: Op[] = [];
  /** Every parameter tensor in network order. */
  readonly params: Param[] = [];
  readonly loss: LossOp;
  /** The targets of the loaded batch: class index per row for cross_entropy, else [rows, output width]. */
  readonly target: Floats;
  readonly fault = new Fault();
  readonly dropoutRng: Rng;
  private readonly oneHot: boolean;
  private readonly outputWidth: number;

  constructor(readonly spec: NetworkSpec, options: CompileOptions = {}) {
    this.dtype = options.dtype ?? 'float32';
    this.capacity = Math.max(1, options.batch ?? spec.train.batch);
    const initRng = new Rng(spec.train.seed, STREAM_INIT);
    this.dropoutRng = new Rng(spec.train.seed, STREAM_DROPOUT);
    this.input = this.tensor(spec.inputWidth);
    this.input.needsGrad = false;
    const output = this.build(spec.layers, this.input, initRng);
    this.outputWidth = output.width;
    // A `weights` file replaces the init of the tensors it has (after the init ran, so the
    // others start exactly as they would without it).
    for (const t of spec.weights?.tensors ?? []) {
      this.params.find((p) => p.layer === t.layer && p.name === t.param)?.value.set(t.values);
    }

    const crossEntropy = spec.loss.kind === 'cross_entropy';
    const task = spec.dataShape.task;
    // Class labels meet a regression-style loss one-hot when there is an output per class;
    // two classes into a single output (bce on `blobs classes=2`) are 0/1 targets.
    this.oneHot = !crossEntropy && task === 'classes' && output.width > 1;
    this.target = allocate(this.dtype, this.capacity * (crossEntropy ? 1 : output.width));
    const accuracy = crossEntropy || this.oneHot ? 'argmax' : task === 'regression' ? 'none' : 'threshold';
    this.loss = new LossOp(output, spec.loss, this.target, accuracy);
    this.ops.push(this.loss);
  }

  /** The network's output [rows, width] after a forward pass. */
  get output(): Tensor {
    return this.loss.input;
  }

  /** Forward in training or evaluation mode; false when an op produced NaN/Inf (see `fault`). */
  forward(rows: number, training: boolean): boolean {
    this.fault.clear();
    return runForward(this.ops, rows, training, this.fault);
  }

  /** Backward from the loss of the last forward; false when a gradient is NaN/Inf. */
  backward(rows: number): boolean {
    this.fault.clear();
    return runBackward(this.ops, rows, this.fault);
  }

  /**
   * Copy `rows` examples into the input and target buffers: examples order[start…] of
   * the split (or start… in order when `order` is null). `targetWidth` is the split's
   * values per example.
   */
  loadBatch(split: Split, targetWidth: number, order: Int32Array | null, start: number, rows: number): void {
    const f = this.spec.inputWidth, x = this.input.value, t = this.target, w = this.outputWidth;
    for (let r = 0; r < rows; r++) {
      const e = order === null ? start + r : order[start + r];
      for (let j = 0, src = e * f, dst = r * f; j < f; j++) x[dst + j] = split.x[src + j];
      if (this.loss.name === 'cross_entropy') {
        t[r] = split.y[e];
      } else if (this.oneHot) {
        for (let j = 0; j < w; j++) t[r * w + j] = 0;
        t[r * w + split.y[e]] = 1;
      } else {
        for (let j = 0; j < w; j++) t[r * w + j] = split.y[e * targetWidth + (j < targetWidth ? j : 0)];
      }
    }
  }

  /** The user-facing account of `fault`, at a given step. */
  nonFiniteReport(step: number): NonFiniteReport {
    const { phase, index, op } = this.fault;
    const layer = phase === 'update' ? this.params[index].layer : phase === null ? -1 : this.ops[index].layer;
    const leaf = layer >= 0 ? this.spec.leaves[layer] : undefined;
    const block = phase === 'forward' || phase === 'backward' ? this.ops[index].block : undefined;
    const owner = leaf ?? block;
    const where = owner ? ` in ${leaf ? 'layer' : 'block'} ${owner.name} (line ${owner.line + 1})` : op === this.loss.name ? ' in the loss' : '';
    const what = phase === 'update' ? 'the weights after the update' : phase === 'backward' ? 'a gradient' : 'an output';
    return {
      step,
      phase: phase ?? 'forward',
      op,
      layer: leaf ? layer : undefined,
      layerName: owner?.name,
      line: owner?.line,
      message: `NaN/Inf first appeared at step ${step} in ${what} of ${op}${where}`,
    };
  }

  private tensor(width: number): Tensor {
    const size = this.capacity * width;
    return makeTensor(width, allocate(this.dtype, size), allocate(this.dtype, size));
  }

  private build(nodes: readonly LayerNode[], input: Tensor, rng: Rng): Tensor {
    let x = input;
    for (const node of nodes) {
      if (node.kind === 'residual') {
        const block = { name: node.name, line: node.line };
        const fork = new ResidualForkOp(block, x);
        this.ops.push(fork);
        const body = this.build(node.body, x, rng);
        const add = new ResidualAddOp(block, x, body, this.dtype, this.capacity);
        fork.connect(add);
        this.ops.push(add);
        x = add.output;
      } else {
        const op = this.leaf(node, x, rng);
        this.ops.push(op);
        this.layerOps[node.index] = op;
        x = op.output;
      }
    }
    return x;
  }

  /** Every kind builds its own op (src/kinds/layers/): parameters created and initialised in PyTorch's order. */
  private leaf(layer: LeafLayer, x: Tensor, rng: Rng): Op {
    return kindOf(layer).build(layer, x, {
      dtype: this.dtype, capacity: this.capacity, dropoutRng: this.dropoutRng,
      param: (name) => this.param(layer, name),
      init: (param, fanIn, fanOut, init) => initWeights(param.value, fanIn, fanOut, init, rng, param.count),
    });
  }

  /** A zero-initialised parameter with the shape the checker resolved. */
  private param(layer: LeafLayer, name: ParamName): Param {
    const spec = layer.params.find((p) => p.name === name);
    const shape = spec ? spec.shape.slice() : name === 'W' ? [layer.inputWidth, layer.outputWidth] : [layer.outputWidth];
    const count = shape.reduce((a, b) => a * b, 1);
    const p: Param = { name, shape, count, value: allocate(this.dtype, count), grad: allocate(this.dtype, count), layer: layer.index };
    this.params.push(p);
    return p;
  }
}
