import { strict as assert } from 'node:assert';
import { analyze } from '../../src/analysis';
import { act, dense, frames, network, runOf, thresholds } from './builder';

describe('dead-relu', () => {
  const spec = network(4, [dense(16, 'relu', { kind: 'normal', mean: 0, std: 1 }), dense(16, 'gelu'), dense(3)]);
  const deadRun = (fraction: number) => runOf(frames(spec, 5, (i) => (i === 0 ? { deadFraction: fraction } : {})));

  it('flags a ReLU layer with more than half of its units dead, just above 0.5 and not at 0.5', () => {
    const findings = analyze(spec, deadRun(0.5625), thresholds, 'probe').filter((f) => f.code === 'dead-relu');
    assert.deepEqual(findings.map((f) => f.layer), [0]);
    assert.equal(findings[0].message, 'Dead ReLU: 56% of units output 0 for every example, in 5 of 5 steps');
    assert.equal(findings[0].evidence.deadFraction, 0.5625);
    assert.deepEqual(findings[0].fixes, [
      { kind: 'use-init', layer: 0, init: 'he' },
      { kind: 'use-activation', layer: 0, activation: 'gelu', init: 'he' },
    ]);
    assert.deepEqual(analyze(spec, deadRun(0.5), thresholds, 'probe').filter((f) => f.code === 'dead-relu'), []);
  });

  it('offers a lower lr only when the layer\'s steps are too large (units pushed dead, not born dead)', () => {
    const pushed = runOf(frames(spec, 5, (i) => (i === 0 ? { deadFraction: 0.8, updateRatio: 1 } : {})));
    const finding = analyze(spec, pushed, thresholds, 'probe').find((f) => f.code === 'dead-relu')!;
    // The first step's largest update ratio is 1: lr × 1e-3 brings it to the healthy 1e-3.
    assert.deepEqual(finding.fixes.filter((f) => f.kind === 'set-lr'), [{ kind: 'set-lr', lr: 0.0001 }]);
  });

  it('ignores zero outputs of activations that cannot die (gelu here)', () => {
    const run = runOf(frames(spec, 5, (i) => (i === 1 ? { deadFraction: 0.9 } : {})));
    assert.deepEqual(analyze(spec, run, thresholds, 'probe').filter((f) => f.code === 'dead-relu'), []);
  });

  it('points a standalone relu at the dense layer whose init feeds it', () => {
    const split = network(4, [dense(16, 'linear', { kind: 'normal', mean: -1, std: 1 }), act('relu'), dense(3)]);
    const run = runOf(frames(split, 5, (i) => (i === 1 ? { deadFraction: 0.8 } : {})));
    const finding = analyze(split, run, thresholds, 'probe').find((f) => f.code === 'dead-relu')!;
    assert.equal(finding.layer, 1);
    assert.deepEqual(finding.related, [{ line: split.leaves[0].line, message: 'dense1 feeds these units (init normal(-1, 1)).' }]);
    assert.deepEqual(finding.fixes[0], { kind: 'use-init', layer: 0, init: 'he' });
  });
});

describe('saturated-activation', () => {
  const normal = { kind: 'normal', mean: 0, std: 1 } as const;

  it('flags a tanh layer with more than 30% of unit-activations saturated, not at 30%', () => {
    const spec = network(4, [dense(16, 'tanh', normal), dense(3)]);
    const run = (fraction: number) => runOf(frames(spec, 5, (i) => (i === 0 ? { saturatedFraction: fraction } : {})));
    const findings = analyze(spec, run(0.31), thresholds, 'probe').filter((f) => f.code === 'saturated-activation');
    assert.deepEqual(findings.map((f) => f.layer), [0]);
    assert.equal(findings[0].message, 'Saturated tanh: 31% of unit-activations in the flat region, in 5 of 5 steps');
    assert.deepEqual(findings[0].fixes, [
      { kind: 'use-init', layer: 0, init: 'xavier' },
      { kind: 'use-activation', layer: 0, activation: 'relu', init: 'he' },
      { kind: 'use-activation', layer: 0, activation: 'gelu', init: 'he' },
    ]);
    assert.deepEqual(analyze(spec, run(0.3), thresholds, 'probe').filter((f) => f.code === 'saturated-activation'), []);
  });

  it('offers no Xavier init when the steps are too large (they push the units back into saturation)', () => {
    const spec = network(4, [dense(16, 'tanh', normal), dense(3)]);
    const run = runOf(frames(spec, 5, (i) => (i === 0 ? { saturatedFraction: 0.9, updateRatio: 1 } : {})));
    const finding = analyze(spec, run, thresholds, 'probe').find((f) => f.code === 'saturated-activation')!;
    assert.deepEqual(finding.fixes.map((f) => f.kind), ['use-activation', 'use-activation']);
  });

  it('offers no layernorm for a fused activation (a layernorm after it does not reach its input)', () => {
    const spec = network(4, [dense(16, 'relu'), dense(16, 'tanh', normal), dense(3)]);
    const run = runOf(frames(spec, 5, (i) => (i === 1 ? { saturatedFraction: 0.9 } : {})));
    const finding = analyze(spec, run, thresholds, 'probe').find((f) => f.code === 'saturated-activation')!;
    assert.ok(!finding.fixes.some((f) => f.kind === 'insert-layernorm'), JSON.stringify(finding.fixes));
  });

  it('leaves an output sigmoid under bce alone: the loss cancels its derivative', () => {
    const spec = network(4, [dense(16, 'relu'), dense(1, 'sigmoid', normal)], { loss: { kind: 'bce' } });
    const run = runOf(frames(spec, 5, (i) => (i === 1 ? { saturatedFraction: 0.9 } : {})));
    assert.deepEqual(analyze(spec, run, thresholds, 'probe').filter((f) => f.code === 'saturated-activation'), []);
  });

  it('offers layernorm between a dense layer and its standalone sigmoid', () => {
    const spec = network(4, [dense(16, 'linear', normal), act('sigmoid'), dense(3)]);
    const run = runOf(frames(spec, 5, (i) => (i === 1 ? { saturatedFraction: 0.6 } : {})));
    const finding = analyze(spec, run, thresholds, 'probe').find((f) => f.code === 'saturated-activation')!;
    assert.equal(finding.layer, 1);
    assert.deepEqual(finding.fixes, [
      { kind: 'use-init', layer: 0, init: 'xavier' },
      { kind: 'use-activation', layer: 1, activation: 'relu', init: 'he' },
      { kind: 'use-activation', layer: 1, activation: 'gelu', init: 'he' },
      { kind: 'insert-layernorm', layer: 0 },
    ]);
  });
});
