import assert from 'node:assert/strict';
import { Envelope } from '../../webview/envelope';

describe('Envelope (bounded summary of a series for drawing)', () => {
  it('keeps every step while there are fewer steps than buckets', () => {
    const e = new Envelope(8);
    [3, 1, 4, 1, 5].forEach((v, k) => e.push(k + 1, v));
    assert.equal(e.count, 5);
    assert.equal(e.perBucket, 1);
    assert.deepEqual(Array.from(e.min.subarray(0, 5)), [3, 1, 4, 1, 5]);
    assert.equal(e.latest(), 5);
  });

  it('merges neighbours when full, keeping min, max and the last value of each pair', () => {
    const e = new Envelope(4);
    [3, 1, 4, 1, 5].forEach((v, k) => e.push(k + 1, v));
    // 4 buckets were full at step 4, so pairs merged: [3,1] [4,1], then step 5 opened a third.
    assert.equal(e.count, 3);
    assert.equal(e.perBucket, 2);
    assert.deepEqual(Array.from(e.min.subarray(0, 3)), [1, 1, 5]);
    assert.deepEqual(Array.from(e.max.subarray(0, 3)), [3, 4, 5]);
    assert.deepEqual(Array.from(e.firstX.subarray(0, 3)), [1, 3, 5]);
    assert.deepEqual(Array.from(e.lastX.subarray(0, 3)), [2, 4, 5]);
    assert.deepEqual(Array.from(e.samples.subarray(0, 3)), [2, 2, 1]);
  });

  it('never holds more buckets than its capacity, and a spike in any step survives as a max', () => {
    const e = new Envelope(64);
    for (let step = 1; step <= 100_000; step++) e.push(step, step === 77_777 ? 1e6 : 1);
    assert.ok(e.count <= 64);
    assert.equal(Math.max(...Array.from(e.max.subarray(0, e.count))), 1e6);
    assert.equal(e.samples.subarray(0, e.count).reduce((a, b) => a + b, 0), 100_000);
  });

  it('averages log10 over positive values only (for the heatmap)', () => {
    const e = new Envelope(2);
    e.push(1, 1e-2);
    e.push(2, 1e-4);
    e.push(3, 0);
    // Buckets merged into one of [1e-2, 1e-4]; the 0 opened a second with no positive value.
    assert.equal(e.logMean(0), -3);
    assert.ok(Number.isNaN(e.logMean(1)));
    assert.equal(e.min[1], 0);
  });

  it('averages log10 over a span of buckets weighted by their values, not by bucket', () => {
    const e = new Envelope(8);
    [1e-1, 1e-3, 0, 1e-6].forEach((v, k) => e.push(k + 1, v));
    // Buckets 0…2 hold 1e-1, 1e-3 and 0: the mean of -1 and -3 (the 0 has no log).
    assert.equal(e.logMeanOf(0, 3), -2);
    assert.equal(e.logMeanOf(0, 4), -10 / 3);
    assert.ok(Number.isNaN(e.logMeanOf(2, 3)));
    assert.equal(e.logMeanOf(3, 99), -6, 'a span past the end stops at the last bucket');
  });

  it('ignores NaN in min and max but remembers it as the last value', () => {
    const e = new Envelope(4);
    e.push(1, 2);
    e.push(2, NaN);
    assert.equal(e.min[0], 2);
    assert.ok(Number.isNaN(e.min[1]));
    assert.ok(Number.isNaN(e.latest()));
  });

  it('snapshots to at most the requested buckets and restores the same summary', () => {
    const e = new Envelope(16);
    for (let step = 1; step <= 40; step++) e.push(step, step);
    // 40 steps in 16 buckets are 10 buckets of 4; halving twice gives 3 (the fifth alone).
    const saved = e.snapshot(4);
    assert.equal(saved.samples.length, 3);
    assert.deepEqual(saved.samples, [16, 16, 8]);
    const back = Envelope.restore(JSON.parse(JSON.stringify(saved)), 16);
    assert.equal(back.count, 3);
    assert.equal(back.min[0], 1);
    assert.equal(back.max[2], 40);
    assert.equal(back.lastX[2], 40);
    // The original is untouched by snapshotting.
    assert.ok(e.count > 4);
  });
});
