// The user-facing gradient check (src/engine/gradcheck.ts): bands, kinks, sampling and the
// test-only corruption of a backward rule, on networks checked from .net text.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { check } from '../../src/lang';
import { loadDataset } from '../../src/engine/data';
import { gradcheck, type GradCheckReport } from '../../src/engine';
import { bandOf, worseBand } from '../../src/engine/gradcheck-bands';
import { shapedNetwork } from './helpers/shaped-specs';
import { dataset, randomRows } from './helpers/specs';

const ROOT = resolve(__dirname, '../..');

function checkFile(path: string, options: Parameters<typeof gradcheck>[2] = {}): GradCheckReport {
  const file = resolve(ROOT, path);
  const text = readFileSync(file, 'utf8');
  const { spec, diagnostics } = check(text, { documentPath: file, readFile: (p) => readFileSync(p, 'utf8') });
  assert.ok(spec, diagnostics.map((d) => d.message).join('\n'));
  return gradcheck(spec, loadDataset(spec.data, (p) => readFileSync(p, 'utf8')), options);
}

const bands = (report: GradCheckReport) => Object.fromEntries(report.tensors.map((t) => [`${t.layer}.${t.param}`, t.band]));

describe('gradient check', function () {
  this.timeout(60_000);

  it('puts relative errors in the CS231n bands', () => {
    assert.deepEqual([1e-9, 5e-7, 3e-3, 0.5, NaN].map(bandOf), ['good', 'acceptable', 'suspect', 'wrong', 'wrong']);
    assert.equal(worseBand('good', 'suspect'), 'suspect');
    assert.equal(worseBand(null, 'acceptable'), 'acceptable');
  });

  it('finds every op of the engine good, dropout masks replayed', () => {
    const report = checkFile('test/fixtures/gradcheck/every-op.net');
    for (const t of report.tensors) {
      assert.equal(t.band, 'good', `${t.layer}.${t.param}: ${t.relError}`);
      assert.ok(t.worst !== null && t.worst.analytic !== 0, `${t.layer}.${t.param} has a non-zero gradient`);
    }
    assert.equal(report.kinked, 0, 'leaky_relu and elu with alpha ≠ 1 have kinks, but no unit sits within h of 0 here');
  });

  it('explains entries whose finite difference crosses a kink instead of calling them wrong', () => {
    const report = checkFile('test/fixtures/gradcheck/kinks.net');
    const h1W = report.tensors.find((t) => t.layer === 'h1' && t.param === 'W')!;
    // Every h1 pre-activation is exactly 0: any step in its weights or bias crosses ReLU's kink.
    assert.equal(h1W.kinked, h1W.checked);
    assert.equal(h1W.band, null);
    assert.deepEqual(h1W.kinks, [{ layer: 'h1', line: 5, kink: 'relu at 0', entries: 8 }]);
    assert.ok(report.tensors.every((t) => t.band === null || t.band === 'good'), JSON.stringify(bands(report)));
    assert.equal(report.band, 'good');
  });

  it('calls a zero gradient (a bias before batch norm) good: backward and the finite difference agree within its noise', () => {
    const report = checkFile('test/fixtures/gradcheck/bias-before-batchnorm.net');
    const bias = report.tensors.find((t) => t.layer === 'a' && t.param === 'b')!;
    assert.ok(Math.abs(bias.worst!.analytic) < 1e-14, `backward: ${bias.worst!.analytic}`);
    assert.ok(bias.relError! > 1e-2, 'the raw relative error compares two noises');
    assert.ok(bias.noise > Math.abs(bias.worst!.numeric), `noise ${bias.noise} covers the numeric ${bias.worst!.numeric}`);
    assert.equal(bias.band, 'good');
    assert.ok(report.tensors.every((t) => t.band === 'good'));
  });

  it('checks conv, pooling and recurrent layers: good', () => {
    const spec = shapedNetwork({ input: [2, 6, 6], layers: [
      { kind: 'conv2d', filters: 3, kernel: 3, padding: 1, activation: 'tanh' },
      { kind: 'avgpool2d', kernel: 2 },
      { kind: 'flatten' },
      { kind: 'dense', units: 3 },
    ], loss: { kind: 'cross_entropy' } });
    const report = gradcheck(spec, dataset(randomRows(6, 72, 5), [0, 1, 2, 0, 1, 2], 'classes', 3));
    assert.ok(report.tensors.every((t) => t.band === 'good'), JSON.stringify(bands(report)));
    const rnn = shapedNetwork({ input: [5, 2], layers: [{ kind: 'lstm', hidden: 4 }, { kind: 'dense', units: 1 }], loss: { kind: 'mse' } });
    const recurrent = gradcheck(rnn, dataset(randomRows(4, 10, 6), randomRows(4, 1, 7), 'regression'));
    assert.deepEqual(recurrent.tensors.map((t) => `${t.layer}.${t.param}:${t.band}`), ['lstm1.W_ih:good', 'lstm1.W_hh:good', 'lstm1.b_ih:good', 'lstm1.b_hh:good', 'dense1.W:good', 'dense1.b:good']);
  });

  it('explains max-pool ties: a zero-init conv makes every window a tie, its weights cross one', () => {
    const spec = shapedNetwork({ input: [1, 4, 4], layers: [
      { kind: 'conv2d', filters: 2, kernel: 3, padding: 1, init: { kind: 'zeros' } },
      { kind: 'maxpool2d', kernel: 2 },
      { kind: 'flatten' },
      { kind: 'dense', units: 2 },
    ], loss: { kind: 'mse' } });
    const report = gradcheck(spec, dataset(randomRows(3, 16, 8), randomRows(3, 2, 9), 'regression'));
    const w = report.tensors.find((t) => t.layer === 'conv2d1' && t.param === 'W')!;
    assert.ok(w.kinked > 0 && w.kinks.every((k) => k.kink === 'max-pool tie' && k.layer === 'maxpool2d1'), JSON.stringify(w));
    // The bias moves a whole channel: the ties stay ties, and its gradient checks out.
    assert.equal(report.tensors.find((t) => t.layer === 'conv2d1' && t.param === 'b')!.band, 'good');
    assert.ok(report.tensors.every((t) => t.band === null || t.band === 'good'), JSON.stringify(bands(report)));
  });

  it('checks a strongly curved loss (deep tanh, large init) with Ridders\' extrapolation: good', () => {
    const report = checkFile('examples/exploding.net');
    assert.ok(report.tensors.every((t) => t.band === 'good'), JSON.stringify(report.tensors.map((t) => [t.layer, t.param, t.relError])));
  });

  it('samples large tensors within the budget, always including the largest gradient entry', () => {
    const report = checkFile('examples/spiral.net', { budget: 2e7 });
    const h2W = report.tensors.find((t) => t.layer === 'h2' && t.param === 'W')!;
    assert.equal(h2W.count, 4096);
    assert.ok(h2W.checked >= 8 && h2W.checked < 1000, `${h2W.checked} entries: at least 8, far from all`);
    assert.equal(report.checked, report.tensors.reduce((s, t) => s + t.checked, 0));
    assert.equal(report.entries, 4547);
    // The first entry checked is the largest gradient entry, so it is where the worst one is looked for first.
    assert.ok(report.tensors.every((t) => t.checked >= Math.min(t.count, 8)));
  });

  it('stops at three budgets: the tensors left are "not checked", not good', () => {
    const report = checkFile('examples/deep-sigmoid.net', { budget: 2e7 });
    const unchecked = report.tensors.filter((t) => t.checked === 0);
    assert.ok(unchecked.length > 0 && unchecked.length < report.tensors.length, `${unchecked.length} of ${report.tensors.length} unchecked`);
    assert.ok(unchecked.every((t) => t.band === null && t.relError === null && t.worst === null));
    assert.equal(report.tensors[0].checked, 8);
    assert.equal(report.band, 'good', 'the band of what was checked');
  });

  describe('a corrupted backward rule (test-only hook) is wrong on exactly the tensors it affects', () => {
    it('dense.b: only the biases', () => {
      const report = checkFile('examples/spiral.net', { corrupt: 'dense.b', budget: 5e7 });
      assert.deepEqual(bands(report), { 'h1.W': 'good', 'h1.b': 'wrong', 'h2.W': 'good', 'h2.b': 'wrong', 'out.W': 'good', 'out.b': 'wrong' });
    });

    it('tanh fused in a dense layer: that layer and everything before it', () => {
      const report = checkFile('examples/xor.net', { corrupt: 'tanh' });
      assert.deepEqual(bands(report), { 'hidden.W': 'wrong', 'hidden.b': 'wrong', 'out.W': 'good', 'out.b': 'good' });
    });

    it('layernorm.gamma: only the gammas', () => {
      const report = checkFile('examples/residual.net', { corrupt: 'layernorm.gamma' });
      for (const t of report.tensors) assert.equal(t.band, t.param === 'gamma' ? 'wrong' : 'good', `${t.layer}.${t.param}`);
    });

    it('a rule the network does not have is an error, not a silent pass', () => {
      assert.throws(() => checkFile('examples/xor.net', { corrupt: 'layernorm' }), /no backward rule of this network matches 'layernorm'/);
    });
  });
});
