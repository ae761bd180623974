import { strict as assert } from 'node:assert';
import { analyze } from '../../src/analysis';
import { expectedInitialLoss } from '../../src/analysis/initialisation';
import { dense, frames, network, repeat, residual, runOf, thresholds } from './builder';

describe('initial-loss', () => {
  const spec = network(4, [dense(16, 'relu'), dense(3, 'linear', { kind: 'normal', mean: 0, std: 5 })], { classes: 3 });
  const at = (loss: number) => analyze(spec, runOf(frames(spec, 5), { initialLoss: loss }), thresholds, 'probe').filter((f) => f.code === 'initial-loss');

  it('expects ln C for C-class cross-entropy, ln 2 for bce, nothing for regression', () => {
    assert.equal(expectedInitialLoss(spec), Math.log(3));
    assert.equal(expectedInitialLoss(network(4, [dense(1, 'sigmoid')], { loss: { kind: 'bce' } })), Math.log(2));
    assert.equal(expectedInitialLoss(network(4, [dense(1)], { loss: { kind: 'mse' } })), undefined);
  });

  it('is information above 2× the expected loss, on the last layer, offering Xavier for the output layer', () => {
    const [finding] = at(2.01 * Math.log(3));
    assert.equal(finding.severity, 'information');
    assert.equal(finding.line, spec.leaves[1].line);
    assert.equal(finding.message, 'Initial loss 2.2, 2× the expected 1.1 (ln 3)');
    assert.deepEqual(finding.fixes, [{ kind: 'use-init', layer: 1, init: 'xavier' }]);
    assert.deepEqual(at(1.99 * Math.log(3)), []);
  });
});

describe('backward-gain', () => {
  it('multiplies the layers\' gains from the output to the input and names where it leaves [0.5, 2]', () => {
    const spec = network(4, [...repeat(3, 4, 'sigmoid', { kind: 'xavier' }, 3), dense(3, 'linear', { kind: 'xavier' })]);
    // ‖δ‖ at each layer's input: 0.3, 0.45 (dense1_2: ×0.45 from the output), 0.7, 1 at the output layer's input —
    // out of band, but no layer's compounded gain reaches the vanishing threshold (signal-gain.ts).
    const gradIn = [0.3, 0.45, 0.7, 1];
    const run = runOf(frames(spec, 1, (i) => ({ inGradNorm: gradIn[i], outGradNorm: gradIn[i + 1] ?? 1 })));
    const [finding] = analyze(spec, run, thresholds, 'probe').filter((f) => f.code === 'backward-gain');
    assert.equal(finding.severity, 'information');
    assert.equal(finding.layer, 1);
    assert.equal(finding.evidence.gain, 0.3);
    assert.equal(finding.message, 'Backward gain from the output to the input 0.3 at initialisation; it leaves [0.5, 2] at dense1_2 (×0.45 from the output to here)');
    assert.deepEqual(finding.fixes, [{ kind: 'use-activation', layer: 1, activation: 'relu', init: 'he' }]);
  });

  it('is left to vanishing-gradient when the compounded gain passes its threshold (the same evidence, as a warning)', () => {
    const spec = network(4, [...repeat(3, 4, 'sigmoid', { kind: 'xavier' }, 3), dense(3, 'linear', { kind: 'xavier' })]);
    const gradIn = [1e-3, 1e-2, 0.1, 1];
    const run = runOf(frames(spec, 1, (i) => ({ inGradNorm: gradIn[i], outGradNorm: gradIn[i + 1] ?? 1 })));
    const findings = analyze(spec, run, thresholds, 'probe');
    assert.deepEqual(findings.filter((f) => f.code === 'backward-gain'), []);
    const vanishing = findings.find((f) => f.code === 'vanishing-gradient' && f.layer === 0)!;
    assert.equal(vanishing.evidence.gainTotal, 0.01);
  });

  it('says nothing while the product stays within [0.5, 2]', () => {
    const spec = network(4, [dense(8, 'relu'), dense(8, 'relu'), dense(3)]);
    const run = runOf(frames(spec, 1, (i) => ({ inGradNorm: [0.6, 1.5, 1][i], outGradNorm: 1 })));
    assert.deepEqual(analyze(spec, run, thresholds, 'probe').filter((f) => f.code === 'backward-gain'), []);
  });

  it('measures a residual block at its input, skip path included', () => {
    const spec = network(4, [dense(8, 'relu'), residual(dense(8, 'relu'), dense(8)), dense(3)]);
    // The body's first layer sees a tiny gradient (body path only) but the block's input,
    // read at dense1's output, gets the skip path too: no loss of gain.
    const run = runOf(frames(spec, 1, (i) => ({ inGradNorm: [1, 1e-6, 1e-6, 1][i], outGradNorm: 1 })));
    assert.deepEqual(analyze(spec, run, thresholds, 'probe').filter((f) => f.code === 'backward-gain'), []);
  });

  it('skips the first layer\'s input gradient when the engine leaves it at 0 (the data needs none)', () => {
    const spec = network(4, [dense(8, 'relu'), dense(3)]);
    const run = runOf(frames(spec, 1, (i) => ({ inGradNorm: [0, 1][i], outGradNorm: 1 })));
    assert.deepEqual(analyze(spec, run, thresholds, 'probe').filter((f) => f.code === 'backward-gain'), []);
  });
});
