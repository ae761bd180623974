import { strict as assert } from 'node:assert';
import { analyze } from '../../src/analysis';
import { dense, frames, network, runOf, thresholds } from './builder';

describe('nonfinite-gradient', () => {
  const spec = network(4, [dense(16, 'relu'), dense(16, 'relu'), dense(3)], { optimizer: { kind: 'adam', lr: 0.5, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 } });

  it('is an error on the layer of the first op that produced NaN/Inf, naming the op, with the lr that makes the first step healthy and clip', () => {
    // The first step moved the weights by 10× their size: lr × 1e-4 makes it 1e-3, however far that is (a sound init).
    const run = runOf(frames(spec, 3, (i, step) => (step === 1 ? { updateRatio: 10 } : {})), { reason: 'diverged', nonFinite: { step: 3, phase: 'forward', op: 'matmul', layer: 1, layerName: 'dense2', line: spec.leaves[1].line, message: 'Inf in matmul' } });
    const findings = analyze(spec, run, thresholds, 'probe').filter((f) => f.code === 'nonfinite-gradient');
    assert.equal(findings.length, 1);
    assert.equal(findings[0].severity, 'error');
    assert.equal(findings[0].layer, 1);
    assert.equal(findings[0].line, spec.leaves[1].line);
    assert.equal(findings[0].message, 'Non-finite output at step 3: first produced by matmul in dense2 (forward); cause: step 1 moved dense1\'s weights 10× their size: lr is ≈1e4× too large (healthy ‖ΔW‖/‖W‖ ≈ 1e-3)');
    assert.equal(findings[0].evidence.causeStep, 1);
    assert.deepEqual(findings[0].fixes, [{ kind: 'set-lr', lr: 0.00005 }, { kind: 'add-clip', clip: 1 }]);
  });

  it('offers only clip when the init is broken (backward gain out of band) and the lr would have to move over 1000×', () => {
    const run = runOf(frames(spec, 3, (i, step) => (step === 1 ? { updateRatio: 10, inGradNorm: i === 0 ? 1e4 : undefined } : {})), {
      reason: 'diverged', nonFinite: { step: 3, phase: 'forward', op: 'matmul', layer: 1, message: 'Inf in matmul' },
    });
    const finding = analyze(spec, run, thresholds, 'probe').find((f) => f.code === 'nonfinite-gradient')!;
    assert.ok(analyze(spec, run, thresholds, 'probe').some((f) => f.code === 'backward-gain'), 'the init is flagged');
    assert.deepEqual(finding.fixes, [{ kind: 'add-clip', clip: 1 }]);
  });

  it('offers no lr when the run overflowed before any step (nothing says what lr would do)', () => {
    const run = runOf([], { reason: 'diverged', nonFinite: { step: 1, phase: 'forward', op: 'matmul', layer: 0, message: 'Inf in matmul' } });
    const [finding] = analyze(spec, run, thresholds, 'probe');
    assert.deepEqual(finding.fixes, [{ kind: 'add-clip', clip: 1 }]);
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
    const run = runOf(frames(clipped, 2, () => ({ updateRatio: 0.1 })), { nonFinite: { step: 2, phase: 'update', op: 'adam', layer: 0, message: 'NaN in the update' } });
    const finding = analyze(clipped, run, thresholds, 'probe').find((f) => f.code === 'nonfinite-gradient')!;
    assert.deepEqual(finding.fixes, [{ kind: 'set-lr', lr: 0.005 }]);
  });
});
