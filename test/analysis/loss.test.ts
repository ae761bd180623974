import { strict as assert } from 'node:assert';
import { analyze } from '../../src/analysis';
import { dense, frames, network, runOf, thresholds } from './builder';

describe('loss-not-decreasing', () => {
  const spec = network(4, [dense(16, 'relu'), dense(3)]);
  const lossCodes = (losses: (step: number) => number, steps: number, mode: 'probe' | 'run', update = 1e-3) =>
    analyze(spec, runOf(frames(spec, steps, () => ({ updateRatio: update }), losses)), thresholds, mode).filter((f) => f.code === 'loss-not-decreasing');

  it('flags a run whose loss stays flat for the 50-step window, on the last layer line', () => {
    const [finding] = lossCodes(() => 1.1, 100, 'run');
    assert.equal(finding.severity, 'warning');
    assert.equal(finding.layer, undefined);
    assert.equal(finding.line, spec.leaves[1].line);
    assert.match(finding.message, /smoothed loss 1\.1 at step 100, no new low in the last 50 steps/);
  });

  it('never flags a probe', () => {
    assert.deepEqual(lossCodes(() => 1.1, 100, 'probe'), []);
  });

  it('does not flag a loss that keeps decreasing by more than 1% over the window', () => {
    assert.deepEqual(lossCodes((s) => 1.1 * Math.exp(-0.001 * s), 100, 'run'), []);
  });

  it('does not flag a plateau after the loss has halved (convergence)', () => {
    assert.deepEqual(lossCodes((s) => (s < 20 ? 1.1 : 0.3), 100, 'run'), []);
  });

  it('waits for warm-up plus a whole window of steps', () => {
    assert.deepEqual(lossCodes(() => 1.1, 60, 'run'), []);
    assert.equal(lossCodes(() => 1.1, 61, 'run').length, 1);
  });

  it('proposes a larger lr when the updates are tiny, a smaller one when they are large, none in between', () => {
    assert.deepEqual(lossCodes(() => 1.1, 100, 'run', 1e-5)[0].fixes, [{ kind: 'set-lr', lr: 1 }]);
    assert.deepEqual(lossCodes(() => 1.1, 100, 'run', 0.05)[0].fixes, [{ kind: 'set-lr', lr: 0.01 }]);
    assert.deepEqual(lossCodes(() => 1.1, 100, 'run', 1e-3)[0].fixes, []);
  });

  it('never proposes a larger lr when the loss rose above its start, bounces, or one layer\'s updates are large', () => {
    // Tiny updates at the end of a run that got worse (weights blown up, units dead): lower, not raise.
    assert.deepEqual(lossCodes((s) => (s < 10 ? 1.1 : 2), 100, 'run', 1e-6)[0].fixes, [{ kind: 'set-lr', lr: 0.01 }]);
    // The loss swings 3.3× between steps (its average below where it started).
    assert.deepEqual(lossCodes((s) => (s % 2 ? 2 : 0.6), 100, 'run', 1e-6)[0].fixes, [{ kind: 'set-lr', lr: 0.01 }]);
    // The last layer's updates are large while the first layer's are tiny.
    const mixed = analyze(spec, runOf(frames(spec, 100, (leaf) => ({ updateRatio: leaf === 0 ? 1e-6 : 0.05 }), () => 1.1)), thresholds, 'run');
    assert.deepEqual(mixed.find((f) => f.code === 'loss-not-decreasing')!.fixes, [{ kind: 'set-lr', lr: 0.01 }]);
  });
});
