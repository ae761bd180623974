import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { analyze, FINDING_CODES } from '../../src/analysis';
import { act, dense, frames, layernorm, network, residual, runOf, thresholds } from './builder';

describe('analyze', () => {
  const spec = network(8, [dense(8, 'sigmoid', { kind: 'xavier' }), dense(8, 'sigmoid', { kind: 'xavier' }), dense(3)]);

  it('judges a probe on all its steps and a full run by its sustained episodes, recovered or not', () => {
    // Vanishing for the first 140 steps, healthy for the 260 after: the start is reported with when.
    const stepFrames = frames(spec, 400, (i, step) => ({ gradRms: i < 2 && step <= 140 ? 1e-6 : 1e-2 }));
    const vanishing = (mode: 'probe' | 'run', n: number) =>
      analyze(spec, runOf(stepFrames.slice(0, n)), thresholds, mode).filter((f) => f.code === 'vanishing-gradient');
    assert.deepEqual(vanishing('probe', 5).map((f) => f.layer), [0, 1]);
    assert.deepEqual(vanishing('probe', 5).map((f) => f.evidence.firstStep), [undefined, undefined], 'a probe has no episodes');
    const [first] = vanishing('run', 400);
    assert.equal(first.layer, 0);
    assert.match(first.message, /^Vanishing gradient during steps 1–140 of 400 \(then recovered\): ‖∇W‖ RMS 1e-6, 1e-4× the largest layer's after it \(dense3\)/);
    assert.match(first.message, /, in 140 of 140 steps$/);
    assert.match(vanishing('run', 100)[0].message, /^Vanishing gradient during steps 1–100 of 100 \(not recovered\): /);
  });

  it('says nothing about a run without frames', () => {
    assert.deepEqual(analyze(spec, runOf([], { reason: 'cancelled' }), thresholds, 'run'), []);
  });

  it('orders findings by line, then layer, the most severe first', () => {
    const run = runOf(frames(spec, 5, (i) => ({ gradRms: [1e-6, 1e-5, 1e-2][i], saturatedFraction: 0.9 })));
    const findings = analyze(spec, run, thresholds, 'probe');
    const keys = findings.map((f) => [f.line, f.layer ?? Infinity]);
    assert.deepEqual(keys, [...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    assert.ok(findings.length >= 4);
  });

  it('never throws on arbitrary telemetry, and every finding names a real layer and line', () => {
    const net = network(4, [dense(6, 'relu'), act('tanh'), residual(layernorm(), dense(6, 'sigmoid', { kind: 'normal', mean: 0, std: 2 })), dense(2, 'sigmoid')], { loss: { kind: 'bce' } });
    // A leaf's line, or a residual block's (backward-gain measures a block at its input).
    const lines = new Set([...net.leaves.map((l) => l.line), ...net.layers.map((n) => n.line)]);
    const number = fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom(0, NaN, Infinity, 1e-30));
    const draft = fc.record({ gradRms: number, updateRatio: number, deadFraction: fc.double({ min: 0, max: 1, noNaN: true }), saturatedFraction: fc.double({ min: 0, max: 1, noNaN: true }), inGradNorm: number, outGradNorm: number, gradNorm: number });
    fc.assert(fc.property(
      fc.array(fc.array(draft, { minLength: net.leaves.length, maxLength: net.leaves.length }), { minLength: 0, maxLength: 80 }),
      fc.constantFrom<'probe' | 'run'>('probe', 'run'),
      number,
      (steps, mode, initialLoss) => {
        const stepFrames = frames(net, steps.length, (i, step) => steps[step - 1][i], (step) => Object.values(steps[step - 1][0])[0] as number);
        const findings = analyze(net, runOf(stepFrames, { initialLoss }), { ...thresholds, lossWindow: 10 }, mode);
        for (const f of findings) {
          assert.ok(FINDING_CODES.includes(f.code));
          assert.ok(lines.has(f.line), `line ${f.line}`);
          assert.ok(f.layer === undefined || (f.layer >= 0 && f.layer < net.leaves.length));
          assert.ok(f.message.length > 0 && f.explanation.length > 0);
        }
      },
    ), { numRuns: 200 });
  });
});
