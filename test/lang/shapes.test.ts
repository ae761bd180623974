// Defaults and shape inference: what the checker fills in and works out.

import { strict as assert } from 'node:assert';
import { check } from '../../src/lang';
import type { NetworkSpec } from '../../src/lang/spec';
import { DEEP_SIGMOID, SPIRAL, net } from './helpers';

function spec(text: string): NetworkSpec {
  const r = check(text);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return r.spec!;
}

describe('shapes: the spiral example', () => {
  const s = spec(SPIRAL);
  it('keeps labels as names and infers widths and parameter shapes', () => {
    assert.deepEqual(s.leaves.map((l) => [l.name, l.inputWidth, l.outputWidth]), [['h1', 2, 64], ['h2', 64, 64], ['out', 64, 3]]);
    assert.deepEqual(s.leaves[1].params, [{ name: 'W', shape: [64, 64], count: 4096 }, { name: 'b', shape: [64], count: 64 }]);
  });
  it('counts parameters: 2·64+64 + 64·64+64 + 64·3+3 = 4547', () => {
    assert.equal(s.paramCount, 4547);
  });
  it('reads data, loss, optimizer and train with their written values', () => {
    assert.equal(s.name, 'spiral');
    assert.deepEqual(s.data, { kind: 'generator', generator: 'spiral', n: 300, noise: 0.2, seed: 1, options: { classes: 3 }, range: s.data.range });
    assert.deepEqual(s.dataShape, { task: 'classes', features: 2, classes: 3, trainSize: 300 });
    assert.deepEqual(s.loss, { kind: 'cross_entropy' });
    assert.deepEqual(s.optimizer, { kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    assert.deepEqual(s.train, { epochs: 200, batch: 32, seed: 7 });
  });
  it('the output layer without an activation is linear, with the xavier default', () => {
    const out = s.leaves[2];
    assert.equal(out.kind, 'dense');
    if (out.kind === 'dense') {
      assert.equal(out.activation, 'linear');
      assert.deepEqual(out.init, { kind: 'xavier' });
      assert.equal(out.line, 7);
    }
  });
});

describe('shapes: the deep-sigmoid example', () => {
  const s = spec(DEEP_SIGMOID);
  it('unrolls repeat 12 into dense1…dense12, then dense13, all on their source lines', () => {
    assert.deepEqual(s.leaves.map((l) => l.name), Array.from({ length: 13 }, (_, i) => `dense${i + 1}`));
    assert.deepEqual(s.leaves.map((l) => l.line), [...Array(12).fill(4), 6]);
  });
  it('blobs takes its features from input (32) and keeps classes=2 a classes task', () => {
    assert.deepEqual(s.dataShape, { task: 'classes', features: 32, classes: 2, trainSize: 512 });
    assert.equal(s.data.kind === 'generator' && s.data.options.features, 32);
  });
  it('counts 12·(32·32+32) + 32+1 = 12705 parameters', () => {
    assert.equal(s.paramCount, 12705);
  });
  it('keeps the written init normal(0, 1) on every copy', () => {
    for (const l of s.leaves.slice(0, 12)) assert.deepEqual(l.kind === 'dense' && l.init, { kind: 'normal', mean: 0, std: 1 });
  });
  it('fills train seed 0 and the written batch', () => {
    assert.deepEqual(s.train, { epochs: 50, batch: 64, seed: 0 });
  });
});

describe('shapes: names and suffixes', () => {
  it('labels inside repeat get _1 … _N; default names keep counting per kind', () => {
    const s = spec(net('repeat 3 {\n  h: dense 8 relu\n  relu\n}\ndense 3'));
    assert.deepEqual(s.leaves.map((l) => l.name), ['h_1', 'relu1', 'h_2', 'relu2', 'h_3', 'relu3', 'dense4']);
  });
  it('nested repeats suffix outer then inner', () => {
    const s = spec(net('repeat 2 {\n  repeat 2 {\n    a: dense 4\n  }\n}\ndense 3'));
    assert.deepEqual(s.leaves.map((l) => l.name), ['a_1_1', 'a_1_2', 'a_2_1', 'a_2_2', 'dense5']);
  });
  it('residual blocks wrap their leaves, which keep network order', () => {
    const s = spec(net('dense 8 relu\nresidual {\n  dense 8 relu\n  layernorm\n}\ndense 3'));
    assert.deepEqual(s.layers.map((n) => n.kind), ['dense', 'residual', 'dense']);
    const block = s.layers[1];
    assert.equal(block.kind === 'residual' && block.width, 8);
    assert.deepEqual(s.leaves.map((l) => [l.index, l.name]), [[0, 'dense1'], [1, 'dense2'], [2, 'layernorm1'], [3, 'dense3']]);
    assert.deepEqual(s.leaves[2].params.map((p) => [p.name, p.shape]), [['gamma', [8]], ['beta', [8]]]);
  });
  it('`dense 3 softmax` becomes a dense and a softmax layer on the same line', () => {
    const r = check('data sine\ninput 1\ndense 1 softmax\nloss mse\n');
    assert.deepEqual(r.spec!.leaves.map((l) => [l.name, l.kind, l.line]), [['dense1', 'dense', 2], ['softmax1', 'activation', 2]]);
  });
});

describe('shapes: defaults', () => {
  it('init: he for a fused ReLU-family activation, or an activation layer right after a linear dense; xavier otherwise', () => {
    const s = spec(net('dense 8 relu\ndense 8\nleaky_relu\ndense 8 tanh\ndense 8\nsigmoid\ndense 8 gelu\ndense 3'));
    const inits = s.leaves.filter((l) => l.kind === 'dense').map((l) => (l.kind === 'dense' ? l.init.kind : ''));
    assert.deepEqual(inits, ['he', 'he', 'xavier', 'xavier', 'he', 'xavier']);
  });
  it('loss from the data: classes → cross_entropy, binary → bce, regression → mse', () => {
    assert.deepEqual(spec(net('dense 3')).loss, { kind: 'cross_entropy' });
    assert.deepEqual(spec('data xor\ninput 2\ndense 1 sigmoid\n').loss, { kind: 'bce' });
    assert.deepEqual(spec('data sine\ninput 1\ndense 1\n').loss, { kind: 'mse' });
  });
  it('optimizer sgd lr=0.01, train epochs=100, batch = the whole training set, seed 0', () => {
    const s = spec(net('dense 3', 'data spiral n=250\ninput 2'));
    assert.deepEqual(s.optimizer, { kind: 'sgd', lr: 0.01, momentum: 0, nesterov: false, weightDecay: 0 });
    assert.deepEqual(s.train, { epochs: 100, batch: 250, seed: 0 });
  });
  it('adam and rmsprop defaults as torch.optim', () => {
    assert.deepEqual(spec(net('dense 3', undefined, 'optimizer adam')).optimizer, { kind: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    assert.deepEqual(spec(net('dense 3', undefined, 'optimizer rmsprop clip=1')).optimizer, { kind: 'rmsprop', lr: 0.01, decay: 0.99, eps: 1e-8, weightDecay: 0, clip: 1 });
  });
  it('generators: n=200, noise=0.1, seed=0; spiral classes 3; circles factor 0.5; checkerboard cells 4', () => {
    const d = spec(net('dense 3', 'data spiral\ninput 2')).data;
    assert.deepEqual(d.kind === 'generator' && [d.n, d.noise, d.seed, d.options], [200, 0.1, 0, { classes: 3 }]);
    const c = spec('data circles\ninput 2\ndense 1 sigmoid\n').data;
    assert.deepEqual(c.kind === 'generator' && c.options, { factor: 0.5 });
    const k = spec('data checkerboard\ninput 2\ndense 1 sigmoid\n').data;
    assert.deepEqual(k.kind === 'generator' && k.options, { cells: 4 });
  });
  it('activation alpha defaults: leaky_relu 0.01, elu 1', () => {
    const s = spec(net('dense 8 leaky_relu\nelu\ndense 3'));
    assert.deepEqual(s.leaves.map((l) => (l.kind === 'dense' || l.kind === 'activation' ? l.alpha : -1)), [0.01, 1, 0]);
  });
  it('layernorm eps 1e-5, batchnorm momentum 0.9, dropout rate as written', () => {
    const s = spec(net('dense 8\nlayernorm\nbatchnorm\ndropout 0.25\ndense 3'));
    assert.deepEqual(s.leaves.slice(1, 4).map((l) => l.kind === 'layernorm' ? l.eps : l.kind === 'batchnorm' ? [l.momentum, l.eps] : l.kind === 'dropout' ? l.rate : 0), [1e-5, [0.9, 1e-5], 0.25]);
  });
  it('watch options land in spec.watch under the settings names', () => {
    assert.deepEqual(spec(net('dense 3', undefined, 'watch vanishingRatio=1e-4 lossWindow=20')).watch, { vanishingRatio: 1e-4, lossWindow: 20 });
  });
});
