// The server's pure helpers, without a process: the formatting edit, the merging of
// repeat copies' findings, the telemetry frame conversion and the number helpers.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LayerFinding } from '../../src/analysis/types';
import { check } from '../../src/lang';
import { findingDiagnostics } from '../../src/server/findings';
import { minimalEdit } from '../../src/server/formatting';
import { downsample, formatPrecise, sparkline } from '../../src/server/numbers';
import { formatCount } from '../../src/analysis/format';
import { toTelemetryFrame } from '../../src/server/telemetryFrames';

describe('server helpers', () => {
  it('minimalEdit turns any text into any other, touching only whole lines that differ', () => {
    const lines = fc.array(fc.constantFrom('a', 'b', 'dense 8 relu', '', '  x'), { maxLength: 8 }).map((ls) => ls.join('\n'));
    fc.assert(
      fc.property(lines, lines, (before, after) => {
        const edit = minimalEdit(before, after);
        if (before === after) return edit === undefined;
        assert.ok(edit);
        assert.equal(before.slice(0, edit.start) + edit.newText + before.slice(edit.end), after);
        assert.ok(edit.start === 0 || before[edit.start - 1] === '\n', 'starts at a line start');
        return true;
      }),
    );
  });

  it('minimalEdit leaves the equal head and tail lines out of the edit', () => {
    const edit = minimalEdit('a\nb\nc\nd', 'a\nB\nc\nd');
    assert.deepEqual(edit, { start: 2, end: 3, newText: 'B' });
  });

  const text = 'data blobs classes=2 features=4\ninput 4\nrepeat 3 {\n  dense 4 sigmoid\n}\ndense 2\n';
  const spec = check(text).spec!;
  const finding = (layer: number, ratio: number): LayerFinding => ({
    code: 'vanishing-gradient',
    severity: 'warning',
    layer,
    line: 3,
    message: `ratio ${ratio}`,
    explanation: 'why',
    evidence: { ratio },
    related: [{ line: 0, message: 'the data' }],
    fixes: [{ kind: 'use-activation', layer, activation: 'relu', init: 'he' }],
  });
  const lineRange = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 10 } });

  it('merges the findings of repeat copies on one line into one diagnostic naming the copies and quoting the worst', () => {
    const merged = findingDiagnostics([finding(0, 1e-4), finding(1, 1e-6), finding(2, 1e-5)], spec, 'file:///a.net', lineRange);
    assert.equal(merged.length, 1);
    const [only] = merged;
    assert.equal(only.diagnostic.message, `${spec.leaves[0].name}…${spec.leaves[2].name} (3 copies): ratio 0.000001`);
    assert.deepEqual(only.layers, [0, 1, 2]);
    assert.deepEqual(only.diagnostic.range, spec.leaves[0].range, 'the statement of the repeated layer');
    assert.equal(only.diagnostic.relatedInformation?.length, 1, 'related lines deduplicated');
    assert.equal(only.fixes.length, 3, 'one fix intent per copy (their edits merge later)');
  });

  it('keeps findings with different codes on the same line apart', () => {
    const saturated: LayerFinding = { ...finding(0, 0.9), code: 'saturated-activation', evidence: { saturatedFraction: 0.9 } };
    assert.equal(findingDiagnostics([finding(0, 1e-4), saturated], spec, 'file:///a.net', lineRange).length, 2);
  });

  it('leaves out telemetry frames whose loss is not finite and omits non-finite optional statistics', () => {
    const layer = { index: 0, gradNorm: 1, gradRms: 0.5, outGradNorm: 1, inGradNorm: 1, outMean: Number.NaN, outStd: 1, deadFraction: 0, saturatedFraction: 0, params: [] };
    assert.equal(toTelemetryFrame({ step: 1, epoch: 1, loss: Number.NaN, layers: [layer] }, spec, new Map()), undefined);
    const frame = toTelemetryFrame({ step: 2, epoch: 1, loss: 0.5, layers: [layer] }, spec, new Map([[0, ['vanishing-gradient']]]));
    assert.ok(frame);
    assert.equal('outMean' in frame.layers[0], false);
    assert.deepEqual(frame.layers[0].findings, ['vanishing-gradient']);
    assert.equal(frame.layers[0].name, spec.leaves[0].name);
  });

  it('writes counts, exact entries and sparklines the way the hover and lens show them', () => {
    assert.deepEqual([950, 4547, 12_705, 1_234_567].map(formatCount), ['950', '4,547', '12.7k', '1.23M']);
    assert.equal(formatPrecise(-0.021071), '-2.107e-2');
    assert.equal(formatPrecise(0), '0');
    assert.equal(sparkline([1e-3, 1e-2, 1e-1]), '▁▅█');
    assert.equal(sparkline([Number.NaN, 1, 1]), '·▄▄');
    assert.deepEqual(downsample([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4), [1, 4, 7, 10]);
  });
});
