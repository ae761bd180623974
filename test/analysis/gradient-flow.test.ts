import { strict as assert } from 'node:assert';
import { analyze } from '../../src/analysis';
import type { LayerFinding } from '../../src/analysis/types';
import { act, dense, frames, network, repeat, residual, runOf, thresholds } from './builder';

const codes = (findings: LayerFinding[], code: string) => findings.filter((f) => f.code === code).map((f) => f.layer);

/** Four sigmoid layers and a linear output, every step with the same per-layer gradient RMS. */
function sigmoidStack(rms: number[], steps = 5, flaggedSteps = steps) {
  const spec = network(8, [dense(8, 'sigmoid', { kind: 'normal', mean: 0, std: 1 }), dense(8, 'sigmoid', { kind: 'normal', mean: 0, std: 1 }), dense(8, 'sigmoid', { kind: 'normal', mean: 0, std: 1 }), dense(3)]);
  const run = runOf(frames(spec, steps, (i, step) => ({ gradRms: step <= flaggedSteps ? rms[i] : 1e-2 })));
  return { spec, run };
}

describe('vanishing-gradient', () => {
  it('flags every early layer whose gradients are below 0.1 of the largest layer after it, and not the last', () => {
    const { spec, run } = sigmoidStack([1e-5, 1e-4, 2e-3, 1e-2]);
    const findings = analyze(spec, run, thresholds, 'probe');
    assert.deepEqual(codes(findings, 'vanishing-gradient'), [0, 1]);
    const first = findings.find((f) => f.code === 'vanishing-gradient' && f.layer === 0)!;
    assert.equal(first.severity, 'warning');
    assert.equal(first.line, spec.leaves[0].line);
    assert.ok(Math.abs(first.evidence.ratioToLargest / 1e-3 - 1) < 1e-9);
    assert.equal(first.message, 'Vanishing gradient: ‖∇W‖ RMS 1e-5, 0.001× the largest layer\'s after it (dense4); backpropagated gradient 0.001× the largest after it, in 5 of 5 steps');
  });

  it('flags just below the threshold and not just above it', () => {
    const below = sigmoidStack([1e-2 * 0.99 * thresholds.vanishingRatio, 1e-2, 1e-2, 1e-2]);
    const above = sigmoidStack([1e-2 * 1.01 * thresholds.vanishingRatio, 1e-2, 1e-2, 1e-2]);
    assert.deepEqual(codes(analyze(below.spec, below.run, thresholds, 'probe'), 'vanishing-gradient'), [0]);
    assert.deepEqual(codes(analyze(above.spec, above.run, thresholds, 'probe'), 'vanishing-gradient'), []);
  });

  it('needs most steps of the window: 3 of 5 flags, 2 of 5 does not', () => {
    const three = sigmoidStack([1e-9, 1e-2, 1e-2, 1e-2], 5, 3);
    const two = sigmoidStack([1e-9, 1e-2, 1e-2, 1e-2], 5, 2);
    assert.deepEqual(codes(analyze(three.spec, three.run, thresholds, 'probe'), 'vanishing-gradient'), [0]);
    assert.deepEqual(codes(analyze(two.spec, two.run, thresholds, 'probe'), 'vanishing-gradient'), []);
  });

  it('follows the vanishingRatio threshold it is given', () => {
    const { spec, run } = sigmoidStack([5e-4, 1e-2, 1e-2, 1e-2]);
    assert.deepEqual(codes(analyze(spec, run, thresholds, 'probe'), 'vanishing-gradient'), [0]);
    assert.deepEqual(codes(analyze(spec, run, { ...thresholds, vanishingRatio: 1e-2 }, 'probe'), 'vanishing-gradient'), []);
  });

  it('asks for both a small weight gradient and a small backpropagated signal: one alone is not vanishing', () => {
    const spec = network(8, [dense(8, 'relu'), dense(8, 'relu'), dense(3)]);
    // ∇W = xᵀδ: a small ∇W with a healthy δ means small inputs, not a vanishing backward pass.
    const smallInputs = runOf(frames(spec, 5, (i) => ({ gradRms: i === 0 ? 1e-5 : 1e-2, outGradNorm: 1 })));
    assert.deepEqual(codes(analyze(spec, smallInputs, thresholds, 'probe'), 'vanishing-gradient'), []);
    const smallSignalOnly = runOf(frames(spec, 5, (i) => ({ gradRms: 1e-2, outGradNorm: i === 0 ? 1e-5 : 1 })));
    assert.deepEqual(codes(analyze(spec, smallSignalOnly, thresholds, 'probe'), 'vanishing-gradient'), []);
  });

  it('also flags a small weight gradient whose update ratio is below 1e-5, whatever the signal', () => {
    const spec = network(8, [dense(8, 'relu'), dense(8, 'relu'), dense(3)]);
    const small = (ratio: number) => runOf(frames(spec, 5, (i) => (i === 0 ? { gradRms: ratio * 1e-2, updateRatio: 1e-7, outGradNorm: 1 } : { outGradNorm: 1 })));
    assert.deepEqual(codes(analyze(spec, small(0.05), thresholds, 'probe'), 'vanishing-gradient'), [0]);
    // Same tiny update ratio but a gradient comparable to the others: the lr is the problem, not the flow.
    const findings = analyze(spec, small(0.5), thresholds, 'probe');
    assert.deepEqual(codes(findings, 'vanishing-gradient'), []);
    assert.deepEqual(codes(findings, 'update-ratio-low'), [0]);
  });

  it('does not call a layer vanishing when the larger gradients are upstream of it (that is explosion)', () => {
    const { spec, run } = sigmoidStack([10, 1, 1e-2, 1e-6]);
    const findings = analyze(spec, run, thresholds, 'probe');
    assert.deepEqual(codes(findings, 'vanishing-gradient'), []);
    assert.deepEqual(codes(findings, 'exploding-gradient'), [0, 1, 2]);
  });

  it('offers relu + He and a residual wrap over the flagged run for a saturating stack — no init, no layernorm (they left the flag)', () => {
    const { spec, run } = sigmoidStack([1e-9, 1e-7, 1e-2, 1e-2]);
    const first = analyze(spec, run, thresholds, 'probe').find((f) => f.code === 'vanishing-gradient' && f.layer === 0)!;
    assert.deepEqual(first.fixes, [
      { kind: 'use-activation', layer: 0, activation: 'relu', init: 'he' },
      { kind: 'wrap-residual', from: 0, to: 1 },
    ]);
  });

  it('gives the matched init to the layer where the gradient shrinks, not to the flagged one above it', () => {
    // dense2's units are dead (normal(-1, 0.1)): the gradient shrinks going back through it.
    const dead = { kind: 'normal', mean: -1, std: 0.1 } as const;
    const spec = network(8, [dense(8, 'relu', dead), dense(8, 'relu', dead), dense(3)]);
    const run = runOf(frames(spec, 5, (i) => [{ gradRms: 1e-9 }, { gradRms: 1e-9, inGradNorm: 1e-9, outGradNorm: 1 }, { gradRms: 1e-2 }][i]));
    const first = analyze(spec, run, thresholds, 'probe').find((f) => f.code === 'vanishing-gradient' && f.layer === 0)!;
    assert.deepEqual(first.fixes.filter((f) => f.kind === 'use-init'), [{ kind: 'use-init', layer: 1, init: 'he' }]);
  });

  it('offers the He init for a ReLU stack started too small', () => {
    const spec = network(8, [dense(8, 'relu', { kind: 'normal', mean: 0, std: 0.001 }), dense(8, 'relu', { kind: 'normal', mean: 0, std: 0.001 }), dense(3)]);
    const run = runOf(frames(spec, 5, (i) => ({ gradRms: [1e-9, 1e-6, 1e-2][i] })));
    const first = analyze(spec, run, thresholds, 'probe').find((f) => f.code === 'vanishing-gradient' && f.layer === 0)!;
    assert.deepEqual(first.fixes[0], { kind: 'use-init', layer: 0, init: 'he' });
  });

  it('gives one finding per layer of a repeat, all on the repeat line', () => {
    const spec = network(8, [...repeat(4, 8, 'sigmoid', { kind: 'normal', mean: 0, std: 1 }, 3), dense(1, 'sigmoid', { kind: 'xavier' })], { loss: { kind: 'bce' } });
    const run = runOf(frames(spec, 5, (i) => ({ gradRms: [1e-12, 1e-10, 1e-8, 1e-6, 1e-2][i] })));
    const vanishing = analyze(spec, run, thresholds, 'probe').filter((f) => f.code === 'vanishing-gradient');
    assert.deepEqual(vanishing.map((f) => [f.layer, f.line]), [[0, 3], [1, 3], [2, 3], [3, 3]]);
  });

  it('points at a downstream layer that shrinks the gradient when it is on another line', () => {
    const spec = network(8, [dense(8, 'relu'), dense(8, 'linear', { kind: 'xavier' }), act('sigmoid'), dense(3)]);
    const run = runOf(frames(spec, 5, (i) => (i === 2 ? { inGradNorm: 0.01, outGradNorm: 1, saturatedFraction: 0.9 } : { gradRms: [1e-9, 1e-9, 0, 1e-2][i] })));
    const first = analyze(spec, run, thresholds, 'probe').find((f) => f.code === 'vanishing-gradient' && f.layer === 0)!;
    assert.deepEqual(first.related, [{ line: spec.leaves[2].line, message: 'The gradient shrinks ×0.01 going back through sigmoid1 (sigmoid, 90% saturated).' }]);
  });

  it('does not propose a residual wrap over layers that change the width', () => {
    const spec = network(4, [dense(8, 'sigmoid', { kind: 'xavier' }), dense(3)]);
    const run = runOf(frames(spec, 5, (i) => ({ gradRms: [1e-9, 1e-2][i] })));
    const finding = analyze(spec, run, thresholds, 'probe').find((f) => f.code === 'vanishing-gradient')!;
    assert.ok(!finding.fixes.some((f) => f.kind === 'wrap-residual'));
  });

  it('does not wrap a repeated line when one of its copies changes the width (the first after a narrower input)', () => {
    const normal = { kind: 'normal', mean: 0, std: 1 } as const;
    const spec = network(4, [...repeat(3, 8, 'sigmoid', normal, 3), dense(3)]);
    const run = runOf(frames(spec, 5, (i) => ({ gradRms: [1e-9, 1e-9, 1e-9, 1e-2][i] })));
    const second = analyze(spec, run, thresholds, 'probe').find((f) => f.code === 'vanishing-gradient' && f.layer === 1)!;
    assert.equal(spec.leaves[1].inputWidth, spec.leaves[1].outputWidth, 'the copy itself keeps the width');
    assert.ok(!second.fixes.some((f) => f.kind === 'wrap-residual'), JSON.stringify(second.fixes));
  });
});

describe('exploding-gradient', () => {
  function reluStack(rms: number[], update = 1e-3) {
    const spec = network(8, [dense(8, 'relu', { kind: 'normal', mean: 0, std: 3 }), dense(8, 'relu', { kind: 'normal', mean: 0, std: 3 }), dense(3)]);
    return { spec, run: runOf(frames(spec, 5, (i) => ({ gradRms: rms[i], updateRatio: update }))) };
  }

  it('flags a layer whose gradients are over 10× the smallest layer after it, just above but not just below', () => {
    const above = reluStack([1e-2 * 1.01 * thresholds.explodingRatio, 1e-2, 1e-2]);
    const below = reluStack([1e-2 * 0.99 * thresholds.explodingRatio, 1e-2, 1e-2]);
    const findings = analyze(above.spec, above.run, thresholds, 'probe');
    assert.deepEqual(codes(findings, 'exploding-gradient'), [0]);
    assert.deepEqual(codes(analyze(below.spec, below.run, thresholds, 'probe'), 'exploding-gradient'), []);
    const finding = findings.find((f) => f.code === 'exploding-gradient')!;
    assert.equal(finding.message, 'Exploding gradient: ‖∇W‖ RMS 0.1; 10.1× the smallest layer\'s after it (dense3); backpropagated gradient 10.1× the smallest after it, in 5 of 5 steps');
    // Steps of a sane size, gradients growing toward the input: the weights, so the init.
    assert.deepEqual(finding.fixes, [{ kind: 'use-init', layer: 0, init: 'he' }]);
  });

  it('offers the lr that makes the first step healthy, and clip, when the steps were too large from the start', () => {
    // He init already; the first step moves the weights by their whole size, and the
    // gradients grow toward the input only from the second step on.
    const spec = network(8, [dense(8, 'relu'), dense(8, 'relu'), dense(3)]);
    const run = runOf(frames(spec, 5, (i, step) => ({ gradRms: step === 1 ? 1e-2 : [1, 1e-2, 1e-2][i], updateRatio: step === 1 ? 1 : 1e-3 })));
    const finding = analyze(spec, run, thresholds, 'probe').find((f) => f.code === 'exploding-gradient' && f.layer === 0)!;
    assert.deepEqual(finding.fixes, [{ kind: 'set-lr', lr: 0.0001 }, { kind: 'add-clip', clip: 1 }]);
  });

  it('flags a weight gradient rising toward the input with a large update ratio even when the signal is flat', () => {
    const spec = network(8, [dense(8, 'relu'), dense(8, 'relu'), dense(3)]);
    const at = (rms: number[], update: number) => runOf(frames(spec, 5, (i) => ({ gradRms: rms[i], updateRatio: update, outGradNorm: 1 })));
    assert.deepEqual(codes(analyze(spec, at([1, 1e-2, 1e-2], 1e-3), thresholds, 'probe'), 'exploding-gradient'), []);
    assert.deepEqual(codes(analyze(spec, at([1, 1e-2, 1e-2], 0.5), thresholds, 'probe'), 'exploding-gradient'), [0]);
  });

  it('leaves a large update ratio with even gradients to update-ratio-high', () => {
    const rising = reluStack([1, 1e-2, 1e-2], 0.5);
    const flat = reluStack([1e-2, 1e-2, 1e-2], 0.5);
    assert.deepEqual(codes(analyze(rising.spec, rising.run, thresholds, 'probe'), 'exploding-gradient'), [0]);
    const findings = analyze(flat.spec, flat.run, thresholds, 'probe');
    assert.deepEqual(codes(findings, 'exploding-gradient'), []);
    assert.deepEqual(codes(findings, 'update-ratio-high'), [0, 1, 2]);
  });

  it('in a full run, flags a gradient norm over 10× its running median for most of a window; a probe has no history to judge', () => {
    const spec = network(8, [dense(8, 'relu'), dense(3)]);
    // 100 quiet steps, then 30 (most of a 50-step window) with the first layer's norm 20× higher.
    const stepFrames = frames(spec, 130, (i, step) => ({ gradRms: 1e-2, gradNorm: i === 0 && step > 100 ? 20 : 1 }));
    const findings = analyze(spec, runOf(stepFrames), thresholds, 'run');
    assert.deepEqual(codes(findings, 'exploding-gradient'), [0]);
    const finding = findings.find((f) => f.code === 'exploding-gradient')!;
    assert.deepEqual([finding.evidence.runningMedian, finding.evidence.spikes, finding.evidence.firstStep, finding.evidence.lastStep], [1, 30, 101, 130]);
    assert.match(finding.message, /^Exploding gradient during steps 101–130 of 130 \(not recovered\): .*norm 20, 20× its running median, in 30 of 30 steps$/);
    assert.deepEqual(codes(analyze(spec, runOf(stepFrames.slice(95)), thresholds, 'probe'), 'exploding-gradient'), []);
    // 25 spiking steps are half a window, not most of one.
    assert.deepEqual(codes(analyze(spec, runOf(stepFrames.slice(0, 125)), thresholds, 'run'), 'exploding-gradient'), []);
  });

  it('does not call a 9× jump a spike', () => {
    const spec = network(8, [dense(8, 'relu'), dense(3)]);
    const stepFrames = frames(spec, 160, (i, step) => ({ gradNorm: i === 0 && step > 100 ? 9 : 1 }));
    assert.deepEqual(codes(analyze(spec, runOf(stepFrames), thresholds, 'run'), 'exploding-gradient'), []);
  });
});

describe('gradient flow is scale-free', () => {
  it('gives the same findings when every gradient is multiplied by 1e6', () => {
    const spec = network(8, [dense(8, 'sigmoid', { kind: 'normal', mean: 0, std: 1 }), dense(8, 'relu'), dense(8, 'relu'), residual(dense(8, 'relu')), dense(3)]);
    const rms = [1e-9, 1e-5, 30, 1e-2, 1e-2];
    const at = (scale: number) => runOf(frames(spec, 5, (i) => ({ gradRms: rms[i] * scale, inGradNorm: (i + 1) * scale, outGradNorm: (rms[i] || 1) * scale })));
    const strip = (findings: LayerFinding[]) => findings.map((f) => [f.code, f.layer, f.line, f.evidence.ratioToLargest, f.evidence.ratioToSmallest, f.fixes]);
    const base = analyze(spec, at(1), thresholds, 'probe');
    assert.ok(base.some((f) => f.code === 'vanishing-gradient') && base.some((f) => f.code === 'exploding-gradient'));
    const scaled = analyze(spec, at(1e6), thresholds, 'probe');
    assert.deepEqual(strip(scaled).map((r) => r.slice(0, 3)), strip(base).map((r) => r.slice(0, 3)));
    scaled.forEach((f, k) => {
      for (const key of ['ratioToLargest', 'ratioToSmallest', 'gain'] as const) {
        if (f.evidence[key] !== undefined) assert.ok(Math.abs(f.evidence[key] / base[k].evidence[key] - 1) < 1e-9, key);
      }
    });
  });
});
