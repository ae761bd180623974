// The convolutional and recurrent examples, compiled from their .net files by the checker,
// against PyTorch (test/oracle/torch_nets.py builds the same modules from the checked leaves):
// on the example's own first 16 training rows as one batch, in float64, the gradients at the
// engine's initialisation and the weights after 3 steps of the file's own optimizer agree.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDataset } from '../../src/engine/data';
import type { Dataset } from '../../src/engine/data';
import { Session } from '../../src/engine/session';
import { check } from '../../src/lang';

type Tensors = [number, string, number[]][];
const ROWS = 16, STEPS = 3;

function compare(name: string): void {
  const path = resolve(__dirname, '../../examples', name);
  const readFile = (p: string) => readFileSync(p, 'utf8');
  const checked = check(readFile(path), { documentPath: path, readFile });
  assert.ok(checked.spec, JSON.stringify(checked.diagnostics.map((d) => d.message)));
  const full = loadDataset(checked.spec.data, readFile);
  const f = full.features;
  const data: Dataset = { ...full, train: { x: full.train.x.slice(0, ROWS * f), y: full.train.y.slice(0, ROWS), n: ROWS }, validation: undefined };
  const spec = { ...checked.spec, train: { ...checked.spec.train, batch: ROWS }, dataShape: { ...checked.spec.dataShape, trainSize: ROWS } };
  const session = new Session(spec, data, { dtype: 'float64', telemetry: false });
  const snapshot = (of: 'value' | 'grad'): Tensors => session.net.params.map((p) => [p.layer, p.name, Array.from(p[of])]);
  const initial = snapshot('value');
  let grads: Tensors = [];
  for (let s = 0; s < STEPS; s++) {
    session.nextBatch();
    assert.ok(session.computeGradients());
    if (s === 0) grads = snapshot('grad');
    assert.ok(session.update());
  }
  const after = snapshot('value');
  const job = {
    layers: spec.leaves, params: initial, x: Array.from(data.train.x), inputShape: spec.inputShape ?? [spec.inputWidth],
    y: Array.from(data.train.y), loss: spec.loss, optimizer: spec.optimizer, steps: STEPS,
  };
  const result = spawnSync('/usr/bin/python3', [join(__dirname, '../oracle/torch_nets.py')], { input: JSON.stringify([job]), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(result.status, 0, result.stderr);
  const [torch] = JSON.parse(result.stdout) as { grads: Tensors; params: Tensors }[];
  const close = (what: string, engine: Tensors, reference: Tensors, tolerance: number) => {
    engine.forEach(([layer, p, values], k) => {
      const ref = reference[k][2];
      let diff = 0, scale = 0;
      values.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - ref[i])); scale = Math.max(scale, Math.abs(ref[i])); });
      assert.ok(diff <= tolerance * Math.max(scale, 1e-3), `${name} ${what} ${spec.leaves[layer].name}.${p}: differs by ${diff.toExponential(2)} (scale ${scale.toExponential(2)})`);
    });
  };
  close('∂L/∂θ at initialisation', grads, torch.grads, 1e-9);
  close(`θ after ${STEPS} steps`, after, torch.params, 1e-8);
}

describe('the conv and recurrent examples (.net, checked) match PyTorch: gradients at init, weights after 3 steps (float64)', function () {
  this.timeout(120_000);
  it('cnn-digits.net (conv2d relu, maxpool2d, conv2d relu, maxpool2d, flatten, dense; cross_entropy; adam)', () => compare('cnn-digits.net'));
  it('lstm-adding.net (lstm 32 over 50 steps, dense; mse; adam)', () => compare('lstm-adding.net'));
  it('rnn-adding.net (rnn 32 over 50 steps, dense; mse; adam)', () => compare('rnn-adding.net'));
});
