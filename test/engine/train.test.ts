// The training loop: batches and epochs per the language's conventions, telemetry that a
// reader can recompute, validation, cancellation, determinism and the NaN stop.

import { strict as assert } from 'node:assert';
import { train } from '../../src/engine/train';
import { gradientsAt } from '../../src/engine/gradients';
import { Session } from '../../src/engine/session';
import { Network } from '../../src/engine/compile';
import { histogram } from '../../src/engine/recorder';
import { check } from '../../src/lang';
import { generate } from '../../src/engine/data';
import type { StepFrame } from '../../src/engine/telemetry';
import type { InitSpec } from '../../src/lang/spec';
import { act, adam, batchnorm, dataset, dense, dropout, layernorm, network, randomRows, residual, sgd } from './helpers/specs';

const binary = (n: number, seed = 3) => {
  const x = randomRows(n, 2, seed);
  return dataset(x, x.map(([a, b]) => (a * b > 0 ? 1 : 0)), 'binary');
};
const classify3 = (n: number, seed = 4) => dataset(randomRows(n, 2, seed), Array.from({ length: n }, (_, i) => i % 3), 'classes', 3);
const xorNet = (more: Partial<Parameters<typeof network>[0]> = {}) =>
  network({ input: 2, layers: [dense(8, 'tanh'), dense(1, 'sigmoid')], loss: { kind: 'bce' }, optimizer: sgd(0.5), trainSize: 10, batch: 4, epochs: 2, ...more });

describe('training loop', () => {
  it('each epoch takes consecutive slices of `batch` from a shuffled order, keeping the short last one', () => {
    const frames: StepFrame[] = [];
    const result = train(xorNet(), binary(10), { onFrame: (f) => frames.push(f) });
    assert.equal(result.reason, 'done');
    // 10 examples in batches of 4: 4 + 4 + 2, twice.
    assert.deepEqual(result.frames.map((f) => f.epoch), [1, 1, 1, 2, 2, 2]);
    assert.deepEqual(result.frames.map((f) => f.step), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(frames, result.frames, 'onFrame reports every frame as it happens');

    const session = new Session(xorNet(), binary(10), { telemetry: false });
    const seen: number[][] = [[], []];
    const rows: number[] = [];
    for (let s = 0; s < 6; s++) {
      session.nextBatch();
      rows.push(session.rows);
      seen[session.epoch - 1].push(...session.order.subarray(session.start, session.start + session.rows));
    }
    assert.deepEqual(rows, [4, 4, 2, 4, 4, 2]);
    for (const epoch of seen) assert.deepEqual([...epoch].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.notDeepEqual(seen[0], seen[1], 'each epoch is reshuffled');
    assert.notDeepEqual(seen[0], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'examples are shuffled');
  });

  it('`steps` in the file overrides epochs, and the steps option overrides both', () => {
    assert.equal(train(xorNet({ steps: 4 }), binary(10)).frames.length, 4);
    assert.equal(train(xorNet({ steps: 4 }), binary(10), { steps: 9 }).frames.length, 9);
    assert.deepEqual(train(xorNet({ steps: 4, epochs: 1 }), binary(10)).frames.map((f) => f.epoch), [1, 1, 1, 2]);
  });

  it('a short batch gives the same loss and gradients as a network compiled for exactly that many rows', () => {
    const spec = xorNet();
    const data = binary(10);
    const wide = new Network(spec, { dtype: 'float64', batch: 4 });
    const narrow = new Network(spec, { dtype: 'float64', batch: 2 });
    for (const net of [wide, narrow]) {
      net.loadBatch(data.train, 1, null, 3, 2);
      assert.ok(net.forward(2, true) && net.backward(2));
    }
    assert.equal(wide.loss.value, narrow.loss.value);
    assert.deepEqual(Array.from(wide.params[0].grad), Array.from(narrow.params[0].grad));
  });

  it('two runs of the same network and seed give bit-identical telemetry; another seed does not', () => {
    const spec = network({
      input: 2, layers: [dense(16, 'relu'), batchnorm(), dropout(0.3), dense(3)], loss: { kind: 'cross_entropy' },
      optimizer: adam(0.01), trainSize: 30, batch: 8, epochs: 3,
    });
    const data = classify3(30);
    const a = train(spec, data, { histogramEvery: 2 }), b = train(spec, data, { histogramEvery: 2 });
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    const c = train({ ...spec, train: { ...spec.train, seed: 8 } }, data);
    assert.notEqual(JSON.stringify(a.frames), JSON.stringify(c.frames));
  });

  it('stops at the first NaN/Inf and names the op and layer: lr = 1e6', () => {
    const spec = network({ input: 2, layers: [dense(8, 'relu', { name: 'hidden' }), dense(1)], loss: { kind: 'mse' }, optimizer: sgd(1e6), trainSize: 10, batch: 10, epochs: 50 });
    const x = randomRows(10, 2, 5);
    const result = train(spec, dataset(x, x.map(([a, b]) => [a + b]), 'regression'));
    assert.equal(result.reason, 'diverged');
    const report = result.nonFinite!;
    assert.equal(result.frames.length, report.step - 1, 'frames stop before the diverging step');
    // Weights grow ~1e6× per step; at step 4 the output layer's weight gradient overflows float32.
    assert.deepEqual(
      { step: report.step, phase: report.phase, op: report.op, layer: report.layer, layerName: report.layerName, line: report.line },
      { step: 4, phase: 'backward', op: 'matmul', layer: 1, layerName: 'dense2', line: spec.leaves[1].line },
    );
    assert.match(report.message, /NaN\/Inf first appeared at step \d+/);
  });

  it('a huge init overflows the first matrix product at step 1 (float32)', () => {
    const spec = network({ input: 2, layers: [dense(8, 'linear', { init: { kind: 'normal', mean: 0, std: 1e30 } }), dense(8, 'tanh', { init: { kind: 'normal', mean: 0, std: 1e30 } }), dense(1, 'sigmoid')], loss: { kind: 'bce' }, trainSize: 10 });
    const result = train(spec, binary(10));
    assert.equal(result.reason, 'diverged');
    assert.deepEqual(
      { step: result.nonFinite!.step, phase: result.nonFinite!.phase, op: result.nonFinite!.op, layer: result.nonFinite!.layer },
      { step: 1, phase: 'forward', op: 'matmul', layer: 1 },
    );
  });

  it('an update that overflows float32 is reported in the update phase, naming the optimizer and layer', () => {
    const spec = network({ input: 2, layers: [dense(4, 'tanh'), dense(1)], loss: { kind: 'mse' }, optimizer: sgd(1e39), trainSize: 4 });
    const x = randomRows(4, 2, 2);
    const report = train(spec, dataset(x, x.map(([a]) => [a]), 'regression')).nonFinite!;
    assert.deepEqual(
      { step: report.step, phase: report.phase, op: report.op, layer: report.layer, layerName: report.layerName },
      { step: 1, phase: 'update', op: 'sgd', layer: 0, layerName: 'dense1' },
    );
    assert.match(report.message, /in the weights after the update of sgd in layer dense1/);
  });

  it('an overflow in a residual add names the residual block and its line', () => {
    const spec = network({ input: 2, layers: [residual(act('linear')), dense(1)], loss: { kind: 'mse' }, trainSize: 2 });
    // float32 holds 2e38 but not 2e38 + 2e38.
    const result = train(spec, dataset([[2e38, 1], [1, 2e38]], [[0], [0]], 'regression'));
    const report = result.nonFinite!;
    assert.deepEqual(
      { phase: report.phase, op: report.op, layer: report.layer, layerName: report.layerName, line: report.line },
      { phase: 'forward', op: 'residual_add', layer: undefined, layerName: (spec.layers[0] as { name: string }).name, line: spec.layers[0].line },
    );
    assert.match(report.message, /in block residual\d+ \(line \d+\)/);
  });

  it('cancels between steps', () => {
    let asked = 0;
    const result = train(xorNet({ epochs: 100 }), binary(10), { shouldCancel: () => ++asked > 3 });
    assert.equal(result.reason, 'cancelled');
    assert.equal(result.frames.length, 3);
  });

  it('validation loss and accuracy at the end of each epoch only', () => {
    const data = { ...binary(10), validation: binary(6, 9).train };
    const result = train(xorNet(), data);
    assert.deepEqual(result.frames.map((f) => f.valLoss !== undefined), [false, false, true, false, false, true]);
    const last = result.frames[5];
    assert.ok(last.valLoss! > 0 && last.valAccuracy! >= 0 && last.valAccuracy! <= 1);
  });

  it('reports an error, not a throw, when the data does not fit the input', () => {
    const result = train(xorNet(), dataset(randomRows(10, 3, 1), Array(10).fill(0), 'binary'));
    assert.equal(result.reason, 'error');
    assert.match(result.message!, /3 features per example but the network's input is 2/);
  });

  it('class labels meet a regression loss one-hot with an output per class, and as 0/1 with a single output', () => {
    const zeros = { init: { kind: 'zeros' as const } };
    // All outputs 0, so mse is the mean of the squared targets.
    const perClass = network({ input: 2, layers: [dense(3, 'linear', zeros)], loss: { kind: 'mse' }, task: 'classes', classes: 3, trainSize: 4 });
    assert.equal(train(perClass, dataset(randomRows(4, 2, 1), [0, 1, 2, 1], 'classes', 3), { steps: 1 }).initialLoss, 1 / 3);
    const single = network({ input: 2, layers: [dense(1, 'linear', zeros)], loss: { kind: 'mse' }, task: 'classes', classes: 2, trainSize: 4 });
    const run = train(single, dataset(randomRows(4, 2, 1), [0, 1, 1, 1], 'classes', 2), { steps: 1 });
    assert.equal(run.initialLoss, 0.75);
    assert.equal(run.frames[0].accuracy, 0.25, 'output 0 (≤ 0.5) is right only for the label-0 example');
  });

  it('reports an error when a class label has no output to go to', () => {
    const spec = network({ input: 2, layers: [dense(3)], loss: { kind: 'cross_entropy' }, trainSize: 4 });
    const result = train(spec, dataset(randomRows(4, 2, 1), [0, 1, 2, 3], 'classes', 4));
    assert.deepEqual([result.reason, result.message], ['error', "class label 3 does not fit the network's 3 outputs (labels must be 0…2)"]);
  });
});

describe('telemetry', () => {
  it('per-parameter numbers a reader can recompute from the exact gradients', () => {
    const spec = network({ input: 2, layers: [dense(6, 'tanh'), dense(4, 'relu'), dense(1, 'sigmoid')], loss: { kind: 'bce' }, optimizer: sgd(0.1), trainSize: 8, batch: 8 });
    const data = binary(8);
    const frame = train(spec, data, { steps: 1, dtype: 'float64' }).frames[0];
    const exact = gradientsAt(spec, data, { dtype: 'float64' });
    assert.equal(frame.loss, exact.loss);
    for (const stats of frame.layers) {
      const layer = exact.layers[stats.index];
      for (const [k, p] of layer.params.entries()) {
        const s = stats.params[k];
        const norm = Math.hypot(...p.grad), weight = Math.hypot(...p.value);
        const mean = p.grad.reduce((a, b) => a + b, 0) / p.grad.length;
        assert.ok(Math.abs(s.gradNorm - norm) < 1e-12 * Math.max(1, norm));
        assert.equal(s.gradMaxAbs, Math.max(...p.grad.map(Math.abs)));
        assert.ok(Math.abs(s.gradMean - mean) < 1e-15);
        assert.ok(Math.abs(s.weightNorm - weight) < 1e-12 * Math.max(1, weight));
        // Plain SGD moves W by lr·g, so ‖ΔW‖/‖W‖ = lr·‖g‖/‖W‖.
        if (weight > 0) assert.ok(Math.abs(s.updateRatio - (0.1 * norm) / weight) < 1e-9 * s.updateRatio + 1e-15);
      }
      const all = layer.params.flatMap((p) => p.grad);
      assert.ok(Math.abs(stats.gradNorm - Math.hypot(...all)) < 1e-12);
      assert.ok(all.length === 0 || Math.abs(stats.gradRms - Math.hypot(...all) / Math.sqrt(all.length)) < 1e-12);
    }
    // In a chain, each layer's input gradient is the previous layer's output gradient.
    assert.equal(frame.layers[1].inGradNorm, frame.layers[0].outGradNorm);
    assert.equal(frame.layers[2].inGradNorm, frame.layers[1].outGradNorm);
    assert.ok(frame.layers[0].inGradNorm > 0, 'the first layer reports its input gradient too');
    assert.ok(frame.accuracy! >= 0 && frame.accuracy! <= 1);
  });

  it('gradient statistics are the same whether the optimizer pass sums them (no clip) or the recorder does (clip)', () => {
    const spec = (clip?: number) => network({ input: 2, layers: [dense(6, 'tanh'), dense(1, 'sigmoid')], loss: { kind: 'bce' }, optimizer: adam(0.01, clip === undefined ? {} : { clip }), trainSize: 8, batch: 4 });
    const plain = train(spec(), binary(8), { steps: 3, dtype: 'float64' });
    const clipped = train(spec(1e9), binary(8), { steps: 3, dtype: 'float64' }); // a clip that never acts
    for (let f = 0; f < 3; f++) {
      for (let l = 0; l < 2; l++) {
        for (let k = 0; k < 2; k++) {
          const a = plain.frames[f].layers[l].params[k], b = clipped.frames[f].layers[l].params[k];
          assert.equal(a.gradMaxAbs, b.gradMaxAbs);
          assert.ok(Math.abs(a.gradNorm - b.gradNorm) <= 1e-12 * b.gradNorm);
          assert.ok(Math.abs(a.gradMean - b.gradMean) <= 1e-12 * Math.abs(b.gradMean) + 1e-18);
          assert.ok(Math.abs(a.updateRatio - b.updateRatio) <= 1e-12 * b.updateRatio);
        }
      }
    }
  });

  it("the first layer's input gradient is measured on step 1 and every histogram step, and kept in between", () => {
    const frames = train(xorNet({ epochs: 4 }), binary(10), { histogramEvery: 5 }).frames;
    const inGrad = frames.map((f) => f.layers[0].inGradNorm);
    assert.ok(inGrad.every((g) => g > 0));
    assert.deepEqual(inGrad.slice(1, 4), [inGrad[0], inGrad[0], inGrad[0]], 'steps 2–4 keep step 1’s value');
    assert.notEqual(inGrad[4], inGrad[0], 'step 5 measures again');
    assert.notEqual(frames[1].layers[1].inGradNorm, frames[0].layers[1].inGradNorm, 'inner layers are measured every step');
  });

  it('layer outputs: mean, std, dead and saturated fractions and gradient norms a reader can recompute from the outputs', () => {
    // Each kind is measured where it is cheapest (measured-activations.ts): relu in its
    // kernels, sigmoid and tanh in their backward (or apart when there is none, as for the
    // data batch's activation layer), gelu, layernorm and the linear output by the recorder.
    const wide = { init: { kind: 'normal' as const, mean: 0, std: 2 } };
    const spec = network({
      input: 2,
      layers: [act('tanh'), dense(6, 'relu'), dense(5, 'tanh', wide), act('relu'), layernorm(), act('sigmoid'), dense(4, 'sigmoid'), act('gelu'), dense(3)],
      loss: { kind: 'cross_entropy' }, optimizer: sgd(0.1), trainSize: 9, batch: 9,
    });
    const session = new Session(spec, classify3(9), { dtype: 'float64' });
    const [w, b] = session.net.params;
    for (let r = 0; r < 2; r++) w.value[r * 6] = 0;
    b.value[0] = -1; // unit 0 of the first layer: 0 for every example, a dead relu unit
    session.nextBatch();
    assert.ok(session.computeGradients() && session.update());
    const frame = session.recorder!.frame(1, 1, session.net.loss.value, 1);
    const saturatedBy: Record<string, (v: number) => boolean> = { tanh: (v) => Math.abs(v) > 0.97, sigmoid: (v) => v < 0.015 || v > 0.985 };
    spec.leaves.forEach((leaf, l) => {
      const op = session.net.layerOps[l], width = op.output.width, rows = session.rows;
      const y = Array.from(op.output.value.subarray(0, rows * width)), dy = Array.from(op.output.grad.subarray(0, rows * width));
      const mean = y.reduce((a, v) => a + v, 0) / y.length;
      const std = Math.sqrt(y.reduce((a, v) => a + (v - mean) ** 2, 0) / y.length);
      const dead = Array.from({ length: width }, (_, j) => y.filter((_, i) => i % width === j).every((v) => v === 0)).filter(Boolean).length;
      const saturates = leaf.kind === 'dense' || leaf.kind === 'activation' ? saturatedBy[leaf.activation] : undefined;
      const saturated = saturates ? y.filter(saturates).length : 0;
      const stats = frame.layers[l];
      assert.ok(Math.abs(stats.outMean - mean) < 1e-12, `layer ${l} mean`);
      assert.ok(Math.abs(stats.outStd - std) < 1e-9 * Math.max(1, std), `layer ${l} std`);
      assert.equal(stats.deadFraction, dead / width, `layer ${l} dead`);
      assert.equal(stats.saturatedFraction, saturated / y.length, `layer ${l} saturated`);
      assert.ok(Math.abs(stats.outGradNorm - Math.hypot(...dy)) < 1e-12 * Math.max(1, stats.outGradNorm), `layer ${l} output gradient`);
    });
    assert.equal(frame.layers[1].deadFraction, 1 / 6);
    assert.ok(frame.layers[2].saturatedFraction > 0 && frame.layers[2].saturatedFraction < 1, 'some tanh outputs saturate, not all');
  });

  it('dead units: a relu layer whose weights and bias are all zero outputs 0 everywhere', () => {
    const spec = network({ input: 2, layers: [dense(5, 'relu', { init: { kind: 'zeros' } }), dense(1)], loss: { kind: 'mse' }, trainSize: 6 });
    const x = randomRows(6, 2, 3);
    const frame = train(spec, dataset(x, x.map(([a]) => [a]), 'regression'), { steps: 1 }).frames[0];
    assert.equal(frame.layers[0].deadFraction, 1);
    assert.equal(frame.layers[0].outMean, 0);
  });

  it('dead units of a convolution are its channels: a filter that is 0 at every position of every example', () => {
    // Every input is 1, so a filter with all weights 1 sums more inputs inside the image
    // than on its zero-padded border: a bias between the two keeps the border positions at
    // 0 for every example (dead columns) while the channel lives.
    for (const [input, conv, inside] of [['input 2 4 4', 'conv2d 3 kernel=3 padding=1 relu', 18], ['input 5 2', 'conv1d 3 kernel=3 padding=1 relu', 6]] as const) {
      const features = input.split(' ').slice(1).reduce((n, d) => n * Number(d), 1);
      const { spec } = check(`data linear features=${features} n=8\n${input}\n${conv}\nflatten\ndense 1\ntrain batch=8\n`);
      assert.ok(spec, conv);
      const x = Array.from({ length: 8 }, () => new Array<number>(features).fill(1));
      const session = new Session(spec, dataset(x, randomRows(8, 1, 4), 'regression'), { dtype: 'float64' });
      const [w, b] = session.net.params, perFilter = w.count / 3;
      w.value.fill(0, 0, perFilter);
      b.value[0] = -1; // filter 0: relu(−1) = 0 everywhere, a dead channel
      b.value[1] = 100; // filter 1 fires everywhere
      w.value.fill(1, 2 * perFilter, 3 * perFilter);
      b.value[2] = 0.5 - inside; // filter 2: alive inside, 0 on the border
      session.nextBatch();
      assert.ok(session.computeGradients() && session.update());
      const frame = session.recorder!.frame(1, 1, session.net.loss.value, undefined);
      const y = session.net.layerOps[0].output.value, width = session.net.layerOps[0].output.width;
      const deadColumns = Array.from({ length: width }, (_, j) => [0, 1, 2, 3, 4, 5, 6, 7].every((r) => y[r * width + j] === 0)).filter(Boolean).length;
      assert.ok(deadColumns > width / 3, `${conv}: the border columns of filter 2 are dead too (${deadColumns} of ${width})`);
      assert.equal(frame.layers[0].deadFraction, 1 / 3, `${conv}: one of three channels is dead`);
    }
  });

  it('saturation: sigmoid outside [0.015, 0.985] and |tanh| > 0.97 count as saturated', () => {
    const huge = { kind: 'normal' as const, mean: 0, std: 300 };
    const spec = network({ input: 2, layers: [dense(50, 'sigmoid', { init: huge }), dense(50, 'tanh', { init: huge }), dense(1, 'sigmoid', { init: { kind: 'zeros' } })], loss: { kind: 'bce' }, trainSize: 10 });
    const frame = train(spec, binary(10), { steps: 1 }).frames[0];
    assert.ok(frame.layers[0].saturatedFraction > 0.9, `${frame.layers[0].saturatedFraction}`);
    assert.ok(frame.layers[1].saturatedFraction > 0.9, `${frame.layers[1].saturatedFraction}`);
    assert.equal(frame.layers[2].saturatedFraction, 0, 'sigmoid(0) = 0.5 is not saturated');
  });

  it('histograms of gradients and activations every K steps, 30 bins covering every value', () => {
    const result = train(xorNet({ epochs: 4 }), binary(10), { histogramEvery: 5 });
    const steps = [...new Set(result.histograms.map((h) => h.step))];
    assert.deepEqual(steps, [1, 5, 10]);
    const first = result.histograms.filter((h) => h.step === 1);
    assert.equal(first.length, 4, 'gradient and activation histograms of both layers');
    const act = first.find((h) => h.layer === 0 && h.of === 'activation')!;
    assert.equal(act.counts.length, 30);
    assert.equal(act.counts.reduce((a, b) => a + b, 0), 4 * 8, 'batch 4 × 8 units');
    const grad = first.find((h) => h.layer === 0 && h.of === 'gradient')!;
    assert.equal(grad.counts.reduce((a, b) => a + b, 0), 2 * 8 + 8, 'W and b of the first layer');
    assert.ok(act.min >= -1 && act.max <= 1);
  });

  it('histogram bins: 30 equal widths from min to max, the maximum in the last bin', () => {
    // 0…29 and one more 29: width (29 − 0)/30, so value k falls in bin ⌊k·30/29⌋ = k.
    const values = Float64Array.from([...Array.from({ length: 30 }, (_, k) => k), 29]);
    const h = histogram(7, 2, 'activation', [{ values, n: values.length }]);
    assert.deepEqual([h.step, h.layer, h.of, h.min, h.max], [7, 2, 'activation', 0, 29]);
    assert.deepEqual(h.counts, [...Array.from({ length: 29 }, () => 1), 2]);
    const flat = histogram(1, 0, 'gradient', [{ values: Float32Array.from([0.5, 0.5]), n: 2 }, { values: Float32Array.from([0.5, 9]), n: 1 }]);
    assert.deepEqual([flat.min, flat.max, flat.counts[0], flat.counts.reduce((a, b) => a + b, 0)], [0.5, 0.5, 3, 3], 'equal values share bin 0; only the first n of each source count');
  });

  it('telemetry off keeps loss and accuracy but no layer statistics, and trains identically', () => {
    const on = train(xorNet(), binary(10)), off = train(xorNet(), binary(10), { telemetry: false });
    assert.deepEqual(off.frames.map((f) => f.loss), on.frames.map((f) => f.loss));
    assert.ok(off.frames.every((f) => f.layers.length === 0 && f.accuracy !== undefined));
    assert.equal(off.histograms.length, 0);
  });
});

describe('train and evaluation modes', () => {
  it('batchnorm moves running statistics by momentum with the unbiased variance, and evaluates with them', () => {
    const spec = network({ input: 1, layers: [batchnorm(0.9, 1e-5)], loss: { kind: 'mse' }, trainSize: 4 });
    const net = new Network(spec, { dtype: 'float64' });
    const data = dataset([[1], [2], [3], [6]], [[0], [0], [0], [0]], 'regression');
    net.loadBatch(data.train, 1, null, 0, 4);
    net.forward(4, true);
    const op = net.layerOps[0] as unknown as { runningMean: Float64Array; runningVar: Float64Array };
    // batch mean 3, biased variance 3.5, unbiased 14/3
    assert.ok(Math.abs(op.runningMean[0] - 0.3) < 1e-15);
    assert.ok(Math.abs(op.runningVar[0] - (0.9 + 0.1 * (14 / 3))) < 1e-15);
    assert.ok(Math.abs(net.output.value[3] - 3 / Math.sqrt(3.5 + 1e-5)) < 1e-12, 'training normalises with batch statistics');
    net.forward(4, false);
    assert.ok(Math.abs(net.output.value[3] - (6 - 0.3) / Math.sqrt(op.runningVar[0] + 1e-5)) < 1e-12, 'evaluation uses running statistics');
  });

  it('dropout zeroes about `rate` of the values and scales the rest by 1/(1 − rate) in training; identity in evaluation', () => {
    const spec = network({ input: 1000, layers: [dropout(0.25)], loss: { kind: 'mse' }, trainSize: 1 });
    const net = new Network(spec, { dtype: 'float64' });
    net.loadBatch(dataset([Array(1000).fill(1)], [Array(1000).fill(0)], 'regression').train, 1000, null, 0, 1);
    net.forward(1, true);
    const out = Array.from(net.output.value);
    const zeros = out.filter((v) => v === 0).length;
    assert.ok(zeros > 200 && zeros < 300, `${zeros} of 1000 dropped`);
    assert.ok(out.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-15));
    net.forward(1, false);
    assert.ok(Array.from(net.output.value).every((v) => v === 1));
  });
});

describe('initialisation', () => {
  const stats = (init: InitSpec, fanIn = 400, fanOut = 300) => {
    const net = new Network(network({ input: fanIn, layers: [dense(fanOut, 'linear', { init })], loss: { kind: 'mse' } }), { dtype: 'float64' });
    const w = Array.from(net.params[0].value);
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    return { mean, std, min: Math.min(...w), max: Math.max(...w), bias: Array.from(net.params[1].value) };
  };
  it('he: normal with std √(2/fan_in); biases zero', () => {
    const s = stats({ kind: 'he' });
    assert.ok(Math.abs(s.std / Math.sqrt(2 / 400) - 1) < 0.02 && Math.abs(s.mean) < 0.002);
    assert.ok(s.bias.every((b) => b === 0));
  });
  it('lecun: normal with std √(1/fan_in)', () => assert.ok(Math.abs(stats({ kind: 'lecun' }).std / Math.sqrt(1 / 400) - 1) < 0.02));
  it('xavier: uniform within ±√(6/(fan_in + fan_out))', () => {
    const s = stats({ kind: 'xavier' }), limit = Math.sqrt(6 / 700);
    assert.ok(s.min >= -limit && s.max <= limit && s.max > 0.99 * limit && s.min < -0.99 * limit);
    assert.ok(Math.abs(s.std / (limit / Math.sqrt(3)) - 1) < 0.02);
  });
  it('normal(mean, std), uniform(low, high), zeros, ones', () => {
    const n = stats({ kind: 'normal', mean: 2, std: 0.5 });
    assert.ok(Math.abs(n.mean - 2) < 0.01 && Math.abs(n.std - 0.5) < 0.01);
    const u = stats({ kind: 'uniform', low: -3, high: -1 });
    assert.ok(u.min >= -3 && u.max < -1 && Math.abs(u.mean + 2) < 0.01);
    assert.deepEqual([stats({ kind: 'zeros' }).max, stats({ kind: 'ones' }).min], [0, 1]);
  });
});

describe('gradientsAt', () => {
  it('reports the first training batch of the first epoch, values row-major', () => {
    const spec = xorNet();
    const data = binary(10);
    const report = gradientsAt(spec, data);
    const session = new Session(spec, data);
    session.nextBatch();
    const first = Array.from(session.order.subarray(0, 4));
    assert.deepEqual(report.batch.y, first.map((e) => data.train.y[e]));
    assert.deepEqual(report.batch.x.map((r) => r.map((v) => Math.fround(v))), first.map((e) => [Math.fround(data.train.x[2 * e]), Math.fround(data.train.x[2 * e + 1])]));
    assert.deepEqual(report.layers.map((l) => [l.name, l.kind, l.activation, l.params.map((p) => `${p.name}[${p.shape}]`)]), [
      ['dense1', 'dense', 'tanh', ['W[2,8]', 'b[8]']],
      ['dense2', 'dense', 'sigmoid', ['W[8,1]', 'b[1]']],
    ]);
    assert.equal(report.layers[0].params[0].value.length, 16);
  });

  it('after N steps it reports the next batch, matching step N+1 of a training run', () => {
    const spec = xorNet({ epochs: 3 });
    const data = binary(10);
    const run = train(spec, data, { steps: 5 });
    const report = gradientsAt(spec, data, { after: 4 });
    assert.equal(report.loss, run.frames[4].loss);
    const gradNorm = Math.hypot(...report.layers[0].params[0].grad.map((g) => Math.fround(g)));
    assert.ok(Math.abs(gradNorm - run.frames[4].layers[0].params[0].gradNorm) < 1e-6 * gradNorm);
  });
});

describe('from a .net file to a trained network', () => {
  it('the deep-sigmoid example trains, and its early layers get far smaller gradients than its last', () => {
    const text = [
      'data blobs n=128 classes=2 seed=3',
      'input 32',
      'repeat 6 {',
      '  dense 32 sigmoid init=normal(0, 1)',
      '}',
      'dense 1 sigmoid',
      'loss bce',
      'optimizer sgd lr=0.1',
      'train epochs=2 batch=64',
    ].join('\n');
    const { spec, diagnostics } = check(text);
    assert.ok(spec, JSON.stringify(diagnostics));
    const data = generate(spec.data as Parameters<typeof generate>[0]);
    const result = train(spec, data);
    assert.equal(result.reason, 'done');
    assert.equal(result.frames.length, 4);
    const rms = result.frames[0].layers.map((l) => l.gradRms);
    assert.ok(rms[0] < rms[6] / 10, `first ${rms[0]}, last ${rms[6]}`);
  });
});
