// Every op's and layer's backward rule against central finite differences in float64:
// relative error ≤ 1e-6 per parameter tensor and for the input batch.

import { strict as assert } from 'node:assert';
import type { LossSpec } from '../../src/lang/spec';
import { check } from '../../src/lang';
import { LAYER_KIND_LIST } from '../../src/kinds';
import { gradcheck } from './helpers/gradcheck';
import { batchnorm, dataset, dense, dropout, layernorm, network, randomRows, residual, type LayerSketch } from './helpers/specs';

const TOLERANCE = 1e-6;

function expectGradientsMatch(layers: LayerSketch[], loss: LossSpec = { kind: 'mse' }, options: { input?: number; rows?: number; scale?: number } = {}) {
  const input = options.input ?? 3, rows = options.rows ?? 5;
  const spec = network({ input, layers, loss });
  const width = spec.leaves[spec.leaves.length - 1].outputWidth;
  const x = randomRows(rows, input, 11, options.scale ?? 1.5);
  const data = loss.kind === 'cross_entropy'
    ? dataset(x, Array.from({ length: rows }, (_, i) => i % width), 'classes', width)
    : loss.kind === 'bce'
      ? dataset(x, Array.from({ length: rows }, (_, i) => i % 2), 'binary')
      : dataset(x, randomRows(rows, width, 12), 'regression');
  const check = gradcheck(spec, data);
  for (const [tensor, error] of Object.entries(check.errors)) {
    assert.ok(error <= TOLERANCE, `${tensor}: relative error ${error.toExponential(2)}`);
    assert.ok(check.norms[tensor] > 0 || tensor === 'input', `${tensor}: gradient is all zeros, the check proves nothing`);
  }
  return check;
}

/** The same check on a network written in the language: an `input` line and layer lines, an mse head. */
function expectTextGradientsMatch(inputLine: string, layers: readonly string[]) {
  const input = inputLine.split(/\s+/).slice(1).reduce((n, d) => n * Number(d), 1);
  const text = [`data linear features=${input} n=5`, inputLine, ...layers, 'dense 1', 'loss mse'].join('\n');
  const result = check(text);
  assert.ok(result.spec, `${layers.join('; ')}: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  const data = dataset(randomRows(5, input, 11, 1.5), randomRows(5, 1, 12), 'regression');
  const check_ = gradcheck(result.spec, data);
  for (const [tensor, error] of Object.entries(check_.errors)) {
    assert.ok(error <= TOLERANCE, `${tensor}: relative error ${error.toExponential(2)}`);
    assert.ok(check_.norms[tensor] > 0 || tensor === 'input', `${tensor}: gradient is all zeros, the check proves nothing`);
  }
}

describe('backward rules match central finite differences (float64)', () => {
  // Every registered layer kind, on the networks its definition names: dense fused with
  // every element-wise activation kind, and every activation kind as a layer of its own.
  for (const def of LAYER_KIND_LIST) {
    for (const fixture of def.gradcheck) {
      it(`${def.name}: ${fixture.input}; ${fixture.lines.join('; ')}`, () => {
        expectTextGradientsMatch(fixture.input, fixture.lines);
      });
    }
  }

  it('dense without bias', () => {
    expectGradientsMatch([dense(4, 'tanh', { bias: false }), dense(2)]);
  });

  it('layernorm: gamma, beta and the input (biased variance, eps inside the root)', () => {
    expectGradientsMatch([dense(5), layernorm(1e-5), dense(2)]);
  });

  it('layernorm with a large eps still matches (eps is part of the function)', () => {
    expectGradientsMatch([dense(5), layernorm(0.5), dense(2)]);
  });

  it('batchnorm in training mode: gamma, beta and the input through the batch statistics', () => {
    expectGradientsMatch([dense(4, 'tanh'), batchnorm(0.9, 1e-5), dense(2)], { kind: 'mse' }, { rows: 6 });
  });

  it('batchnorm cancels a bias right before it: that bias gets a zero gradient', () => {
    const spec = network({ input: 3, layers: [dense(4), batchnorm(), dense(2)], loss: { kind: 'mse' } });
    const check = gradcheck(spec, dataset(randomRows(6, 3, 5), randomRows(6, 2, 6), 'regression'));
    assert.ok(check.norms['dense1.b'] < 1e-12, `‖∂L/∂b‖ = ${check.norms['dense1.b']}`);
    assert.ok(check.errors['dense1.W'] <= TOLERANCE && check.errors['batchnorm1.gamma'] <= TOLERANCE);
  });

  it('dropout with a fixed mask', () => {
    const check = expectGradientsMatch([dense(6, 'tanh'), dropout(0.5), dense(2)]);
    assert.ok(check.loss > 0);
  });

  it('residual block: y = x + body(x), gradients through both paths', () => {
    expectGradientsMatch([dense(4, 'tanh'), residual(dense(4, 'relu'), dense(4)), dense(2)]);
  });

  it('nested residual blocks and a residual straight on the input', () => {
    expectGradientsMatch([residual(dense(3, 'tanh'), residual(dense(3, 'gelu'))), dense(2)]);
  });

  it('an empty residual body doubles its input', () => {
    expectGradientsMatch([dense(3), residual(), dense(2)]);
  });

  const losses: LossSpec[] = [
    { kind: 'mse' },
    { kind: 'mae' },
    { kind: 'huber', delta: 1 },
    { kind: 'huber', delta: 0.3 },
  ];
  for (const loss of losses) {
    it(`${loss.kind}${loss.kind === 'huber' ? ` delta=${loss.delta}` : ''} loss`, () => {
      expectGradientsMatch([dense(4, 'tanh'), dense(2)], loss);
    });
  }

  it('bce loss on a sigmoid output', () => {
    expectGradientsMatch([dense(4, 'tanh'), dense(1, 'sigmoid')], { kind: 'bce' });
  });

  it('cross_entropy loss on logits with integer targets', () => {
    expectGradientsMatch([dense(4, 'relu'), dense(3)], { kind: 'cross_entropy' });
  });

  it('a whole small network with every layer kind', () => {
    expectGradientsMatch(
      [dense(6, 'gelu'), layernorm(), residual(dense(6, 'tanh'), batchnorm(), dense(6)), dropout(0.25), dense(5, 'elu'), dense(3)],
      { kind: 'cross_entropy' },
      { input: 4, rows: 7 },
    );
  });
});
