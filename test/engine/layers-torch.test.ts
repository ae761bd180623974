// Networks on images and sequences against PyTorch (Debian's python3-torch at /usr/bin/python3):
// the engine compiles the spec and initialises it; PyTorch builds the same modules
// (test/oracle/torch_nets.py), takes the engine's initial weights, and both train N
// full-batch steps. The gradients at initialisation and the weights after N steps must
// agree for every optimizer (sgd with momentum, Nesterov and weight decay; adam with weight
// decay; rmsprop; global-norm clipping), in float64.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Session } from '../../src/engine/session';
import type { LossSpec, NetworkSpec, OptimizerSpec } from '../../src/lang/spec';
import { shapedNetwork, type ShapedSketch } from './helpers/shaped-specs';
import { adam, dataset, randomRows, rmsprop, sgd } from './helpers/specs';

type Tensors = [number, string, number[]][];

const PYTHON = '/usr/bin/python3';
const SCRIPT = resolve(__dirname, '../oracle/torch_nets.py');
const STEPS = 5;

function snapshot(session: Session, of: 'value' | 'grad'): Tensors {
  return session.net.params.map((p) => [p.layer, p.name, Array.from(p[of])]);
}

interface Comparison {
  title: string;
  spec: NetworkSpec;
  engine: { grads: Tensors; params: Tensors };
  job: unknown;
}

/** Trains the engine STEPS full-batch steps from its own initialisation; the job tells PyTorch to do the same. */
function engineRun(title: string, input: number[], layers: ShapedSketch[], loss: LossSpec, optimizer: OptimizerSpec, rows = 6): Comparison {
  const spec: NetworkSpec = shapedNetwork({ input, layers, loss, optimizer, trainSize: rows, seed: 3 });
  const width = spec.leaves[spec.leaves.length - 1].outputWidth;
  const x = randomRows(rows, spec.inputWidth, 31, 1);
  const y = loss.kind === 'cross_entropy' ? Array.from({ length: rows }, (_, i) => i % width) : randomRows(rows, width, 32);
  const data = loss.kind === 'cross_entropy' ? dataset(x, y as number[], 'classes', width) : dataset(x, y as number[][], 'regression');

  const session = new Session(spec, data, { dtype: 'float64', telemetry: false });
  const initial = snapshot(session, 'value');
  let grads: Tensors = [];
  for (let s = 0; s < STEPS; s++) {
    session.nextBatch();
    assert.ok(session.computeGradients(), `${title}: step ${s + 1} is not finite`);
    if (s === 0) grads = snapshot(session, 'grad');
    assert.ok(session.update());
  }
  const job = { layers: spec.leaves, params: initial, x: x.flat(), inputShape: input, y: loss.kind === 'cross_entropy' ? y : (y as number[][]).flat(), loss, optimizer, steps: STEPS };
  return { title, spec, engine: { grads, params: snapshot(session, 'value') }, job };
}

function torchRuns(jobs: unknown[]): { grads: Tensors; params: Tensors }[] {
  const result = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(jobs), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, `${PYTHON} ${SCRIPT} failed: ${result.error ?? ''} ${result.stderr}`);
  return JSON.parse(result.stdout) as { grads: Tensors; params: Tensors }[];
}

function expectClose(spec: NetworkSpec, what: string, engine: Tensors, reference: Tensors, tolerance: number): void {
  assert.equal(engine.length, reference.length);
  engine.forEach(([layer, name, values], k) => {
    const [, , ref] = reference[k];
    assert.equal(values.length, ref.length);
    let diff = 0, scale = 0;
    values.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - ref[i])); scale = Math.max(scale, Math.abs(ref[i])); });
    assert.ok(diff <= tolerance * Math.max(scale, 1e-3), `${what} of ${spec.leaves[layer].name}.${name}: engine and PyTorch differ by ${diff.toExponential(2)} (scale ${scale.toExponential(2)})`);
  });
}

const CNN: ShapedSketch[] = [
  { kind: 'conv2d', filters: 4, kernel: 3, padding: 1, activation: 'relu' },
  { kind: 'maxpool2d', kernel: 2 },
  { kind: 'conv2d', filters: 3, kernel: 2, stride: 2, activation: 'tanh' },
  { kind: 'avgpool2d', kernel: 1 },
  { kind: 'flatten' },
  { kind: 'dense', units: 3 },
];
const RECURRENT: ShapedSketch[] = [
  { kind: 'conv1d', filters: 3, kernel: 2, activation: 'tanh' },
  { kind: 'gru', hidden: 4, sequences: true },
  { kind: 'lstm', hidden: 3, sequences: true },
  { kind: 'rnn', hidden: 3 },
  { kind: 'dense', units: 2 },
];

const OPTIMIZERS: [string, OptimizerSpec][] = [
  ['sgd', sgd(0.1)],
  ['sgd momentum 0.9 nesterov weight decay 0.01', sgd(0.05, { momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['adam weight decay 0.01', adam(0.01, { weightDecay: 0.01 })],
  ['rmsprop', rmsprop(0.005)],
  ['adam clip=0.1', adam(0.01, { clip: 0.1 })],
];

describe('networks on images and sequences match PyTorch: gradients at initialisation, weights after 5 steps (float64)', function () {
  this.timeout(60000);
  const runs: Comparison[] = [];
  for (const [name, optimizer] of OPTIMIZERS) {
    runs.push(engineRun(`conv2d relu, maxpool2d, conv2d tanh stride 2, avgpool2d, flatten, dense; cross_entropy; ${name}`, [2, 6, 6], CNN, { kind: 'cross_entropy' }, optimizer));
    runs.push(engineRun(`conv1d tanh, gru and lstm sequences=true, rnn, dense; mse; ${name}`, [6, 3], RECURRENT, { kind: 'mse' }, optimizer));
  }
  let torch: { grads: Tensors; params: Tensors }[] = [];
  before(() => {
    torch = torchRuns(runs.map((r) => r.job));
  });
  runs.forEach((run, i) => {
    it(run.title, () => {
      expectClose(run.spec, '∂L/∂θ at initialisation', run.engine.grads, torch[i].grads, 1e-9);
      expectClose(run.spec, `θ after ${STEPS} steps`, run.engine.params, torch[i].params, 1e-8);
    });
  });
});
