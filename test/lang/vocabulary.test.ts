import { strict as assert } from 'node:assert';
import { VOCABULARY } from '../../src/lang';
import { DEFAULT_THRESHOLDS } from '../../src/protocol/settings';

describe('vocabulary', () => {
  it('watch options are exactly the threshold settings, with the same defaults', () => {
    const fromVocabulary = Object.fromEntries(VOCABULARY.watchOptions.map((o) => [o.name, o.default]));
    assert.deepEqual(fromVocabulary, { ...DEFAULT_THRESHOLDS });
  });
  it('every activation is also a layer', () => {
    const layers = VOCABULARY.layers.map((l) => l.name);
    for (const a of VOCABULARY.activations) assert.ok(layers.includes(a.name), a.name);
  });
  it('defaults match torch.optim and docs/language.md: sgd lr 0.01, adam 0.001/0.9/0.999/1e-8, rmsprop 0.01/0.99/1e-8, epochs 100', () => {
    const defaults = (name: string) => Object.fromEntries(VOCABULARY.optimizers.find((o) => o.name === name)!.options.filter((o) => o.default !== undefined).map((o) => [o.name, o.default]));
    assert.deepEqual(defaults('sgd'), { lr: 0.01, momentum: 0, nesterov: false, weight_decay: 0 });
    assert.deepEqual(defaults('adam'), { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0 });
    assert.deepEqual(defaults('rmsprop'), { lr: 0.01, decay: 0.99, eps: 1e-8, weight_decay: 0 });
    assert.equal(VOCABULARY.trainOptions.find((o) => o.name === 'epochs')!.default, 100);
  });
  it('every item has a one-paragraph doc', () => {
    const items = [VOCABULARY.statements, VOCABULARY.layers, VOCABULARY.activations, VOCABULARY.inits, VOCABULARY.generators, VOCABULARY.losses, VOCABULARY.optimizers].flat();
    for (const item of items) assert.ok(item.doc.length > 20 && !item.doc.includes('\n'), item.name);
  });
});
