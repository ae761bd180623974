import { strict as assert } from 'node:assert';
import { analyze } from '../../src/analysis';
import { dense, frames, network, runOf, thresholds } from './builder';

describe('nonfinite-gradient', () => {
  const spec = network(4, [dense(16, 'relu'), dense(16, 'relu'), dense(3)], { optimizer: { kind: 'adam', lr: 0.5, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 } });

  it('is an error on the layer of the first op that produced NaN/Inf, naming the op, with lr ÷ 10 and clip', () => {
    const run = runOf(frames(spec, 3), { reason: 'diverged', nonFinite: { step: 3, phase: 'forward', op: 'matmul', layer: 1, layerName: 'dense2', line: spec.leaves[1].line, message: 'Inf in matmul' } });
    const findings = analyze(spec, run, thresholds, 'probe').filter((f) => f.code === 'nonfinite-gradient');
    assert.equal(findings.length, 1);
    assert.equal(findings[0].severity, 'error');
    assert.equal(findings[0].layer, 1);
    assert.equal(findings[0].line, spec.leaves[1].line);
    assert.equal(findings[0].message, 'Non-finite output at step 3: first produced by matmul in dense2 (forward)');
    assert.deepEqual(findings[0].fixes, [{ kind: 'set-lr', lr: 0.05 }, { kind: 'add-clip', clip: 1 }]);
  });

  it('puts a loss that went non-finite on the last layer, and judges the other rules only on the steps before it', () => {
    const stepFrames = frames(spec, 4, (i, step) => (step >= 3 ? { gradRms: NaN, deadFraction: 1 } : {}));
    const run = runOf(stepFrames, { reason: 'diverged', nonFinite: { step: 3, phase: 'forward', op: 'cross_entropy', message: 'NaN in the loss' } });
    const findings = analyze(spec, run, thresholds, 'probe');
    assert.deepEqual(findings.map((f) => f.code), ['nonfinite-gradient']);
    assert.equal(findings[0].line, spec.leaves[2].line);
    assert.equal(findings[0].layer, undefined);
    assert.match(findings[0].message, /cross_entropy in the loss/);
  });

  it('does not offer a clip the optimizer already has', () => {
    const clipped = { ...spec, optimizer: { ...spec.optimizer, clip: 1 } };
    const run = runOf(frames(clipped, 1), { nonFinite: { step: 1, phase: 'update', op: 'adam', layer: 0, message: 'NaN in the update' } });
    const [finding] = analyze(clipped, run, thresholds, 'probe');
    assert.deepEqual(finding.fixes, [{ kind: 'set-lr', lr: 0.05 }]);
  });
});
