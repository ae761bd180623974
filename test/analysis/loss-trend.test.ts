// The loss trend streams a run's loss curve in O(window) memory; these check it against the
// direct computation over the whole curve (what loss-not-decreasing read before it streamed).

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { StepFrame } from '../../src/engine/telemetry';
import { LossTrend } from '../../src/analysis/loss';
import { thresholds } from './builder';

/** Over the whole curve: the trailing average over `span` steps, its lowest before the last `window` steps (from the first full average) and within them. */
function direct(losses: number[], window: number, span: number) {
  const smoothed = losses.map((_, i) => {
    const from = Math.max(0, i - span + 1);
    return losses.slice(from, i + 1).reduce((a, b) => a + b, 0) / (i + 1 - from);
  });
  const split = losses.length - window;
  return {
    before: Math.min(...smoothed.slice(span - 1, split)),
    since: Math.min(...smoothed.slice(split)),
    current: smoothed[smoothed.length - 1],
    first: smoothed[span - 1],
  };
}

const frame = (step: number, loss: number): StepFrame => ({ step, epoch: 1, loss, layers: [] });

describe('LossTrend (the loss curve streamed)', () => {
  it('gives the lows of the whole curve, whatever its length and window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 60 }), fc.array(fc.double({ min: 0.01, max: 10, noNaN: true }), { minLength: 1, maxLength: 400 }), (lossWindow, losses) => {
        const trend = new LossTrend({ ...thresholds, lossWindow });
        losses.forEach((loss, i) => trend.add(frame(i + 1, loss)));
        const lows = trend.lows();
        if (losses.length < trend.span + trend.window + 1) return assert.equal(lows, undefined);
        const expected = direct(losses, trend.window, trend.span);
        assert.ok(lows);
        for (const key of ['before', 'since', 'current', 'first'] as const) {
          assert.ok(Math.abs(lows[key] - expected[key]) <= 1e-12 * Math.abs(expected[key]), `${key}: ${lows[key]} vs ${expected[key]}`);
        }
        assert.equal(lows.step, losses.length);
        assert.deepEqual(lows.recent.map((f) => f.step), losses.map((_, i) => i + 1).slice(-20));
      }),
    );
  });

  it('says nothing once a loss was not finite', () => {
    const trend = new LossTrend(thresholds);
    for (let step = 1; step <= 200; step++) trend.add(frame(step, step === 150 ? NaN : 1));
    assert.equal(trend.lows(), undefined);
  });
});
