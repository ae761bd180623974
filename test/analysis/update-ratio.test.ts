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

  it('suggests the lr that moves the ratio to the healthy 1e-3 (step size ∝ lr)', () => {
    const [low] = flagged(1e-6);
    assert.equal(low.message, 'Update ratio ‖ΔW‖/‖W‖ 1e-6 (healthy ≈ 1e-3), in 5 of 5 steps');
    assert.deepEqual(low.fixes, [{ kind: 'set-lr', lr: 100 }]);
    const [high] = flagged(1);
    assert.deepEqual(high.fixes, [{ kind: 'set-lr', lr: 0.0001 }]);
  });

  it('weighs every parameter tensor by its norm, ignoring tensors still at zero', () => {
    // W moves by 1e-6 of its size; the bias is at zero (no ratio): the layer's ratio is W's.
    const [low] = flagged(1e-6);
    assert.ok(Math.abs(low.evidence.log10UpdateRatio + 6) < 1e-9);
  });
});
