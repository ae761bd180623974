// Whole networks on images and sequences, compiled from checked specs: every parameter's and
// the input's gradient against central finite differences in float64 (the layers wired
// together, parameters created and initialised by compile, the loss on top).

import { strict as assert } from 'node:assert';
import type { LossSpec } from '../../src/lang/spec';
import { gradcheck } from './helpers/gradcheck';
import { shapedNetwork, type ShapedSketch } from './helpers/shaped-specs';
import { dataset, randomRows } from './helpers/specs';

const TOLERANCE = 1e-6;

function expectGradientsMatch(input: number[], layers: ShapedSketch[], loss: LossSpec, rows = 4): void {
  const spec = shapedNetwork({ input, layers, loss });
  const width = spec.leaves[spec.leaves.length - 1].outputWidth;
  const x = randomRows(rows, spec.inputWidth, 21, 1.5);
  const data = loss.kind === 'cross_entropy'
    ? dataset(x, Array.from({ length: rows }, (_, i) => i % width), 'classes', width)
    : dataset(x, randomRows(rows, width, 22), 'regression');
  const check = gradcheck(spec, data);
  assert.equal(Object.keys(check.errors).length, spec.leaves.reduce((n, l) => n + l.params.length, 0) + 1, 'every parameter tensor and the input');
  for (const [tensor, error] of Object.entries(check.errors)) {
    assert.ok(error <= TOLERANCE, `${tensor}: relative error ${error.toExponential(2)}`);
    assert.ok(check.norms[tensor] > 0, `${tensor}: gradient is all zeros, the check proves nothing`);
  }
}

describe('networks on images and sequences: backward matches central finite differences (float64)', () => {
  it('conv2d relu → maxpool2d → conv2d tanh (stride 2, padding 1) → avgpool2d → flatten → dense, cross_entropy', () => {
    expectGradientsMatch([2, 8, 8], [
      { kind: 'conv2d', filters: 3, kernel: 3, padding: 1, activation: 'relu' },
      { kind: 'maxpool2d', kernel: 2 },
      { kind: 'conv2d', filters: 4, kernel: 3, stride: 2, padding: 1, activation: 'tanh' },
      { kind: 'avgpool2d', kernel: 2 },
      { kind: 'flatten' },
      { kind: 'dense', units: 3 },
    ], { kind: 'cross_entropy' });
  });

  it('conv1d → lstm sequences=true → gru → dense, mse', () => {
    expectGradientsMatch([7, 3], [
      { kind: 'conv1d', filters: 4, kernel: 3, padding: 1, activation: 'tanh' },
      { kind: 'lstm', hidden: 3, sequences: true },
      { kind: 'gru', hidden: 4 },
      { kind: 'dense', units: 2 },
    ], { kind: 'mse' });
  });

  it('rnn sequences=true → flatten → dense, and rnn without bias → dense', () => {
    expectGradientsMatch([5, 2], [{ kind: 'rnn', hidden: 3, sequences: true }, { kind: 'flatten' }, { kind: 'dense', units: 2 }], { kind: 'mse' });
    expectGradientsMatch([5, 2], [{ kind: 'rnn', hidden: 3, bias: false }, { kind: 'dense', units: 1 }], { kind: 'mse' });
  });
});
