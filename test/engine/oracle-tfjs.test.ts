// Whole-network gradients and optimizer steps against TensorFlow.js. The weights and the
// batch come from the built CLI (`gradlens grads FILE --json`), the architecture from the
// checker; TF.js recomputes the loss and every parameter gradient from them, and the
// torch.optim formulas (written out below) predict each optimizer step.
// Needs `npm run build` first (npm test builds before test:unit).

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { check } from '../../src/lang';
import type { LayerNode, LossSpec, NetworkSpec, OptimizerSpec } from '../../src/lang/spec';
import { gradsJson, type GradsReport } from '../oracle/grads';

const FIXTURES = resolve(__dirname, '../fixtures/oracle');

function specOf(file: string): NetworkSpec {
  const path = join(FIXTURES, file);
  const result = check(readFileSync(path, 'utf8'), { documentPath: path, readFile: (p: string) => readFileSync(p, 'utf8') });
  assert.ok(result.spec, `${file}: ${result.diagnostics.map((d: { message: string }) => d.message).join('; ')}`);
  return result.spec;
}

/** ‖a − b‖ / ‖b‖, with a floor so that two all-zero gradients agree. */
function relativeError(ours: ArrayLike<number>, reference: ArrayLike<number>): number {
  let diff = 0;
  let size = 0;
  for (let i = 0; i < reference.length; i++) {
    diff += (ours[i]! - reference[i]!) ** 2;
    size += reference[i]! ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(size), 1e-12);
}

type Params = Map<string, tf.Tensor>;
const key = (layer: string, param: string): string => `${layer}.${param}`;

function activate(x: tf.Tensor, activation: string, alpha: number): tf.Tensor {
  switch (activation) {
    case 'relu': return tf.relu(x);
    case 'leaky_relu': return tf.leakyRelu(x, alpha);
    // relu(x) + α(e^min(x,0) − 1): the two branches without a comparison op (TF.js has no gradient for those).
    case 'elu': return tf.add(tf.relu(x), tf.mul(alpha, tf.sub(tf.exp(tf.minimum(x, 0)), 1)));
    case 'gelu': return tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
    case 'tanh': return tf.tanh(x);
    case 'sigmoid': return tf.sigmoid(x);
    case 'softplus': return tf.softplus(x);
    case 'softmax': return tf.softmax(x);
    case 'linear': return x;
    default: throw new Error(`no TF.js reference for activation ${activation}`);
  }
}

/** Normalise over `axis` with the biased variance, eps inside the square root, then scale and shift. */
function normalise(x: tf.Tensor, axis: number, eps: number, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const mean = tf.mean(x, axis, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), axis, true);
  return tf.add(tf.mul(tf.div(centred, tf.sqrt(tf.add(variance, eps))), gamma), beta);
}

function forward(nodes: LayerNode[], x: tf.Tensor, params: Params): tf.Tensor {
  for (const node of nodes) {
    const p = (name: string): tf.Tensor => params.get(key(node.name, name))!;
    switch (node.kind) {
      case 'residual': x = tf.add(x, forward(node.body, x, params)); break;
      case 'dense': {
        const z = tf.matMul(x as tf.Tensor2D, p('W') as tf.Tensor2D);
        x = activate(node.bias ? tf.add(z, p('b')) : z, node.activation, node.alpha);
        break;
      }
      case 'activation': x = activate(x, node.activation, node.alpha); break;
      case 'layernorm': x = normalise(x, 1, node.eps, p('gamma'), p('beta')); break;
      case 'batchnorm': x = normalise(x, 0, node.eps, p('gamma'), p('beta')); break;
      case 'dropout': assert.equal(node.rate, 0, 'dropout is random; the oracle checks rate 0 only'); break;
    }
  }
  return x;
}

/** PyTorch's losses with reduction='mean'. */
function lossOf(loss: LossSpec, out: tf.Tensor, y: number[] | number[][]): tf.Tensor {
  const classes = out.shape[1]!;
  if (loss.kind === 'cross_entropy') {
    const onehot = tf.oneHot(tf.tensor1d(y as number[], 'int32'), classes);
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(out)), 1)));
  }
  const target = Array.isArray(y[0]) ? tf.tensor2d(y as number[][]) : tf.tensor2d(y as number[], [y.length, 1]);
  const diff = tf.sub(out, target);
  switch (loss.kind) {
    case 'mse': return tf.mean(tf.square(diff));
    case 'mae': return tf.mean(tf.abs(diff));
    case 'huber': {
      // With q = min(|d|, δ): ½q² + δ(|d| − q) is ½d² inside δ and δ(|d| − ½δ) outside.
      const a = tf.abs(diff);
      const q = tf.minimum(a, loss.delta);
      return tf.mean(tf.add(tf.mul(0.5, tf.square(q)), tf.mul(loss.delta, tf.sub(a, q))));
    }
    case 'bce':
      return tf.neg(tf.mean(tf.add(tf.mul(target, tf.log(out)), tf.mul(tf.sub(1, target), tf.log(tf.sub(1, out))))));
  }
}

/** TF.js loss and gradients for the weights and batch of a grads report. */
function tfGradients(spec: NetworkSpec, report: GradsReport): { loss: number; grads: Map<string, Float32Array> } {
  const names: string[] = [];
  const tensors: tf.Tensor[] = [];
  for (const layer of report.layers) {
    for (const param of layer.params) {
      names.push(key(layer.name, param.name));
      tensors.push(tf.tensor(param.value, param.shape));
    }
  }
  const x = tf.tensor2d(report.batch.x);
  const f = (...values: tf.Tensor[]): tf.Tensor => lossOf(spec.loss, forward(spec.layers, x, new Map(names.map((n, i) => [n, values[i]!]))), report.batch.y);
  const loss = f(...tensors).dataSync()[0]!;
  const grads = tf.grads(f)(tensors);
  return { loss, grads: new Map(names.map((n, i) => [n, grads[i]!.dataSync() as Float32Array])) };
}

function assertGradientsMatch(file: string): void {
  const spec = specOf(file);
  const report = gradsJson(join(FIXTURES, file));
  const reference = tfGradients(spec, report);
  assert.ok(relativeError([report.loss], [reference.loss]) <= 1e-4, `loss ${report.loss} vs TF.js ${reference.loss}`);
  const withParams = spec.leaves.filter((leaf) => leaf.params.length > 0);
  assert.equal(report.layers.filter((l) => l.params.length > 0).length, withParams.length, 'every layer with parameters is reported');
  for (const layer of report.layers) {
    for (const param of layer.params) {
      const error = relativeError(param.grad, reference.grads.get(key(layer.name, param.name))!);
      assert.ok(error <= 1e-4, `${file}: ${layer.name}.${param.name} relative error ${error.toExponential(2)}`);
    }
  }
}

describe('gradients against TensorFlow.js (gradlens grads --json)', function () {
  this.timeout(60_000);
  before(async function () {
    if (!existsSync(resolve(__dirname, '../../dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
    await tf.setBackend('cpu');
  });

  const cases: [string, string][] = [
    ['dense-activations.net', 'dense with every fused activation, cross_entropy'],
    ['activation-layers.net', 'every activation as its own layer, with alphas'],
    ['norms.net', 'layernorm and batchnorm in training mode'],
    ['softmax-mse.net', 'a softmax layer, mse'],
    ['loss-mae.net', 'mae'],
    ['loss-huber.net', 'huber with delta 0.5'],
    ['loss-bce.net', 'bce on a sigmoid output'],
    ['residual.net', 'residual blocks, nested'],
    ['dropout-zero.net', 'dropout 0'],
  ];
  for (const [file, what] of cases) {
    it(`${what}: every parameter gradient within 1e-4 relative error (${file})`, () => assertGradientsMatch(file));
  }
});

// ---- Optimizers: torch.optim's update rules, written out, fed the engine's own gradients.

interface SlotState { buffer?: number[]; m?: number[]; v?: number[] }

/** One step of torch.optim for every parameter, after clip_grad_norm_ over all gradients. */
function torchStep(optimizer: OptimizerSpec, step: number, weights: number[][], grads: number[][], state: SlotState[]): number[][] {
  let scale = 1;
  if (optimizer.clip !== undefined) {
    const total = Math.sqrt(grads.flat().reduce((s, g) => s + g * g, 0));
    // clip_grad_norm_: multiply by max_norm / (total + 1e-6) when that is below 1.
    scale = Math.min(1, optimizer.clip / (total + 1e-6));
  }
  return weights.map((w, t) => {
    const s = (state[t] ??= {});
    const g = grads[t]!.map((gi, i) => gi * scale + optimizer.weightDecay * w[i]!);
    switch (optimizer.kind) {
      case 'sgd': {
        let d = g;
        if (optimizer.momentum !== 0) {
          s.buffer = s.buffer ? s.buffer.map((b, i) => optimizer.momentum * b + g[i]!) : [...g];
          d = optimizer.nesterov ? g.map((gi, i) => gi + optimizer.momentum * s.buffer![i]!) : s.buffer;
        }
        return w.map((wi, i) => wi - optimizer.lr * d[i]!);
      }
      case 'adam': {
        s.m = (s.m ?? g.map(() => 0)).map((m, i) => optimizer.beta1 * m + (1 - optimizer.beta1) * g[i]!);
        s.v = (s.v ?? g.map(() => 0)).map((v, i) => optimizer.beta2 * v + (1 - optimizer.beta2) * g[i]! ** 2);
        const c1 = 1 - optimizer.beta1 ** step;
        const c2 = 1 - optimizer.beta2 ** step;
        return w.map((wi, i) => wi - (optimizer.lr * (s.m![i]! / c1)) / (Math.sqrt(s.v![i]! / c2) + optimizer.eps));
      }
      case 'rmsprop': {
        s.v = (s.v ?? g.map(() => 0)).map((v, i) => optimizer.decay * v + (1 - optimizer.decay) * g[i]! ** 2);
        return w.map((wi, i) => wi - (optimizer.lr * g[i]!) / (Math.sqrt(s.v![i]!) + optimizer.eps));
      }
    }
  });
}

const flatParams = (report: GradsReport, of: 'value' | 'grad'): number[][] => report.layers.flatMap((l) => l.params.map((p) => p[of]));

describe('optimizer steps against the torch.optim formulas (gradlens grads --after N)', function () {
  this.timeout(60_000);
  const STEPS = 4;
  const cases: [string, string][] = [
    ['optimizer-sgd.net', 'sgd'],
    ['optimizer-momentum.net', 'sgd with momentum'],
    ['optimizer-nesterov.net', 'sgd with Nesterov momentum'],
    ['optimizer-adam.net', 'adam with bias correction'],
    ['optimizer-rmsprop.net', 'rmsprop'],
    ['optimizer-sgd-weight-decay.net', 'sgd with momentum and weight decay'],
    ['optimizer-adam-weight-decay.net', 'adam with L2 weight decay'],
    ['optimizer-clip.net', 'sgd with global-norm clipping'],
  ];
  for (const [file, what] of cases) {
    it(`${what}: ${STEPS} steps match within 1e-4 relative error per update (${file})`, () => {
      const spec = specOf(file);
      // float64 so the comparison measures the update rule, not float32 rounding of W.
      const reports = Array.from({ length: STEPS + 1 }, (_, after) => gradsJson(join(FIXTURES, file), ['--after', String(after), '--dtype', 'float64']));
      if (spec.optimizer.clip !== undefined) {
        const total = Math.sqrt(flatParams(reports[0]!, 'grad').flat().reduce((s, g) => s + g * g, 0));
        assert.ok(total > spec.optimizer.clip, `the fixture must actually clip (‖g‖ ${total})`);
      }
      const state: SlotState[] = [];
      for (let step = 1; step <= STEPS; step++) {
        const before = flatParams(reports[step - 1]!, 'value');
        const predicted = torchStep(spec.optimizer, step, before, flatParams(reports[step - 1]!, 'grad'), state);
        const actual = flatParams(reports[step]!, 'value');
        predicted.forEach((w, t) => {
          const update = w.map((wi, i) => wi - before[t]![i]!);
          const engineUpdate = actual[t]!.map((wi, i) => wi - before[t]![i]!);
          const error = relativeError(engineUpdate, update);
          assert.ok(error <= 1e-4, `step ${step}, tensor ${t}: update relative error ${error.toExponential(2)}`);
        });
      }
    });
  }
});
