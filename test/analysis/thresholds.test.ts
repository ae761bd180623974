import { strict as assert } from 'node:assert';
import { mergeThresholds } from '../../src/analysis';
import { DEFAULT_THRESHOLDS } from '../../src/protocol/settings';

describe('mergeThresholds', () => {
  it('takes the settings and puts the options a watch statement writes on top', () => {
    const merged = mergeThresholds(DEFAULT_THRESHOLDS, { vanishingRatio: 1e-2, lossWindow: 200 });
    assert.deepEqual(merged, { ...DEFAULT_THRESHOLDS, vanishingRatio: 1e-2, lossWindow: 200 });
  });
  it('ignores options the watch statement does not write, and leaves the settings object unchanged', () => {
    const settings = { ...DEFAULT_THRESHOLDS };
    assert.deepEqual(mergeThresholds(settings, { deadFraction: undefined }), DEFAULT_THRESHOLDS);
    assert.deepEqual(settings, DEFAULT_THRESHOLDS);
  });
});
