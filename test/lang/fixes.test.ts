// Every FixSuggestion kind: apply the edits to the text, re-check, assert the result.

import { strict as assert } from 'node:assert';
import { check, fixEdits } from '../../src/lang';
import type { FixSuggestion } from '../../src/lang/rewrites';
import { applyEdits, DEEP_SIGMOID } from './helpers';

function applyFix(text: string, fix: FixSuggestion) {
  const r = check(text);
  assert.ok(r.spec, JSON.stringify(r.diagnostics));
  const f = fixEdits(r.document, r.spec, fix);
  assert.ok(f, 'a fix');
  const after = applyEdits(text, f.edits);
  const checked = check(after);
  assert.deepEqual(checked.diagnostics.filter((d) => d.severity === 'error'), [], after);
  return { title: f.title, text: after, spec: checked.spec! };
}

const MLP = `data xor
input 2
dense 8 sigmoid
dense 8 tanh init=xavier
dense 1 sigmoid
`;

describe('fixes', () => {
  it('use-activation on a repeated line rewrites the shared line: every copy becomes relu with He init', () => {
    const r = applyFix(DEEP_SIGMOID, { kind: 'use-activation', layer: 3, activation: 'relu', init: 'he' });
    assert.equal(r.title, 'Use relu with He init (the repeated line: all 12 copies)');
    assert.match(r.text, /^ {2}dense 32 relu init=he$/m);
    for (const l of r.spec.leaves.slice(0, 12)) assert.deepEqual(l.kind === 'dense' && [l.activation, l.init.kind], ['relu', 'he']);
  });
  it('use-activation adds init when none is written', () => {
    const r = applyFix(MLP, { kind: 'use-activation', layer: 0, activation: 'gelu', init: 'he' });
    assert.equal(r.title, 'Use gelu with He init');
    assert.equal(r.text.split('\n')[2], 'dense 8 gelu init=he');
  });
  it('use-activation on an activation layer changes it and gives the dense before it He init', () => {
    const r = applyFix('data xor\ninput 2\ndense 8\nsigmoid\ndense 1 sigmoid\n', { kind: 'use-activation', layer: 1, activation: 'relu', init: 'he' });
    assert.equal(r.text, 'data xor\ninput 2\ndense 8 init=he\nrelu\ndense 1 sigmoid\n');
  });
  it('use-init replaces a written init', () => {
    const r = applyFix(MLP, { kind: 'use-init', layer: 1, init: 'lecun' });
    assert.equal(r.title, 'Set init=lecun');
    assert.equal(r.text.split('\n')[3], 'dense 8 tanh init=lecun');
  });
  it('insert-layernorm adds a line after the layer at its indentation', () => {
    const r = applyFix(DEEP_SIGMOID, { kind: 'insert-layernorm', layer: 0 });
    assert.equal(r.title, 'Insert layernorm after dense1 (the repeated line: all 12 copies)');
    assert.match(r.text, /init=normal\(0, 1\)\n {2}layernorm\n\}/);
    assert.equal(r.spec.leaves.filter((l) => l.kind === 'layernorm').length, 12);
  });
  it('wrap-residual wraps whole statements and re-indents them', () => {
    const text = 'data xor\ninput 2\ndense 8 relu\ndense 8 relu\n# keep\ndense 8 relu\ndense 1 sigmoid\n';
    const r = applyFix(text, { kind: 'wrap-residual', from: 1, to: 2 });
    assert.equal(r.title, 'Wrap dense2…dense3 in residual');
    assert.equal(r.text, 'data xor\ninput 2\ndense 8 relu\nresidual {\n  dense 8 relu\n  # keep\n  dense 8 relu\n}\ndense 1 sigmoid\n');
    assert.deepEqual(r.spec.layers.map((n) => n.kind), ['dense', 'residual', 'dense']);
  });
  it('wrap-residual of copies of one repeated line wraps that line inside the repeat', () => {
    const r = applyFix(DEEP_SIGMOID, { kind: 'wrap-residual', from: 1, to: 4 });
    assert.equal(r.title, 'Wrap dense2 in residual (the repeated line: each of the 12 copies)');
    assert.match(r.text, /repeat 12 \{\n {2}residual \{\n {4}dense 32 sigmoid init=normal\(0, 1\)\n {2}\}\n\}/);
    assert.equal(r.spec.layers.filter((n) => n.kind === 'residual').length, 12);
  });
  it('wrap-residual from inside a repeat to a layer after it wraps the whole repeat', () => {
    const text = 'data xor\ninput 2\ndense 8 relu\nrepeat 2 {\n  dense 8 relu\n}\ndense 8 relu\ndense 1 sigmoid\n';
    const r = applyFix(text, { kind: 'wrap-residual', from: 1, to: 3 });
    assert.equal(r.text, 'data xor\ninput 2\ndense 8 relu\nresidual {\n  repeat 2 {\n    dense 8 relu\n  }\n  dense 8 relu\n}\ndense 1 sigmoid\n');
  });
  it('set-lr replaces the optimizer lr', () => {
    const r = applyFix(DEEP_SIGMOID, { kind: 'set-lr', lr: 0.01 });
    assert.equal(r.title, 'Lower lr to 0.01');
    assert.match(r.text, /^optimizer sgd lr=0\.01$/m);
    assert.equal(r.spec.optimizer.lr, 0.01);
  });
  it('set-lr without an optimizer writes out the default one', () => {
    const r = applyFix(MLP, { kind: 'set-lr', lr: 0.1 });
    assert.equal(r.title, 'Raise lr to 0.1');
    assert.deepEqual(r.spec.optimizer, { kind: 'sgd', lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0 });
  });
  it('add-clip appends clip to the optimizer', () => {
    const r = applyFix(DEEP_SIGMOID, { kind: 'add-clip', clip: 1 });
    assert.equal(r.title, 'Add clip=1 to the optimizer');
    assert.equal(r.spec.optimizer.clip, 1);
  });
  it('remove-softmax removes the softmax line', () => {
    const text = 'data spiral\ninput 2\ndense 3\nsoftmax\nloss cross_entropy\n';
    const r = applyFix(text, { kind: 'remove-softmax', layer: 1 });
    assert.equal(r.title, 'Remove softmax (cross_entropy takes logits)');
    assert.equal(r.text, 'data spiral\ninput 2\ndense 3\nloss cross_entropy\n');
    assert.deepEqual(check(r.text).diagnostics, []);
  });
  it('remove-softmax on a fused `dense 3 softmax` removes the word', () => {
    const r = applyFix('data spiral\ninput 2\ndense 3 softmax\n', { kind: 'remove-softmax', layer: 1 });
    assert.equal(r.text, 'data spiral\ninput 2\ndense 3\n');
  });
  it('gives no fix for a layer that does not exist', () => {
    const r = check(MLP);
    assert.equal(fixEdits(r.document, r.spec!, { kind: 'use-init', layer: 99, init: 'he' }), undefined);
  });
});
