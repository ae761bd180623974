import { strict as assert } from 'node:assert';
import { analyze } from '../../src/analysis';
import { dense, frames, network, runOf, thresholds } from './builder';

describe('update-ratio-low / update-ratio-high', () => {
  const spec = network(4, [dense(16, 'relu'), dense(3)], { optimizer: { kind: 'sgd', lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0 } });
  const withRatio = (ratio: number) => runOf(frames(spec, 5, (i) => (i === 1 ? { updateRatio: ratio } : {})));
  const flagged = (ratio: number) => analyze(spec, withRatio(ratio), thresholds, 'probe').filter((f) => f.code.startsWith('update-ratio'));

  it('flags log10 ‖ΔW‖/‖W‖ below −5 as low and above −0.5 as high, not at the thresholds', () => {
    assert.deepEqual(flagged(0.9e-5).map((f) => [f.code, f.layer]), [['update-ratio-low', 1]]);
    assert.deepEqual(flagged(1e-5), []);
    assert.deepEqual(flagged(0.32).map((f) => [f.code, f.layer]), [['update-ratio-high', 1]]);
    assert.deepEqual(flagged(0.316), []);
  });

  const everyLayer = (ratio: number) => analyze(spec, runOf(frames(spec, 5, () => ({ updateRatio: ratio }))), thresholds, 'probe').filter((f) => f.code.startsWith('update-ratio'));

  it('suggests the one lr that moves the first step\'s largest ratio to the healthy 1e-3 (step size ∝ lr)', () => {
    const low = everyLayer(1e-6);
    assert.equal(low[0].message, 'Update ratio ‖ΔW‖/‖W‖ 1e-6 (healthy ≈ 1e-3), in 5 of 5 steps');
    assert.deepEqual(low.map((f) => f.fixes), [[{ kind: 'set-lr', lr: 100 }], [{ kind: 'set-lr', lr: 100 }]]);
    assert.deepEqual(everyLayer(1)[0].fixes, [{ kind: 'set-lr', lr: 0.0001 }]);
  });

  it('moves lr by up to 1000× when the init is broken, any amount when it is sound', () => {
    assert.deepEqual(everyLayer(1e-7)[0].fixes, [{ kind: 'set-lr', lr: 1000 }], 'sound init: ×10⁴');
    const broken = runOf(frames(spec, 5, (i) => ({ updateRatio: 1e-7, inGradNorm: i === 0 ? 1e4 : undefined })));
    const findings = analyze(spec, broken, thresholds, 'probe');
    assert.ok(findings.some((f) => f.code === 'backward-gain'));
    assert.deepEqual(findings.find((f) => f.code === 'update-ratio-low')!.fixes, []);
  });

  it('offers no lr when other layers are healthy: one lr for all cannot fix one layer without pushing the others off', () => {
    const [low] = flagged(1e-6);
    assert.deepEqual(low.fixes, []);
  });

  it('weighs every parameter tensor by its norm, ignoring tensors still at zero', () => {
    // W moves by 1e-6 of its size; the bias is at zero (no ratio): the layer's ratio is W's.
    const [low] = flagged(1e-6);
    assert.ok(Math.abs(low.evidence.log10UpdateRatio + 6) < 1e-9);
  });
});
