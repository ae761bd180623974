import assert from 'node:assert/strict';
import { dataShapeOf, generate } from '../../src/engine/data';
import { check } from '../../src/lang';
import type { Dataset } from '../../src/engine/data';
import type { GeneratorData, GeneratorKind } from '../../src/lang/spec';
import { range } from '../../src/lang/diagnostics';

function spec(generator: GeneratorKind, options: Partial<Omit<GeneratorData, 'kind' | 'generator' | 'range'>> & { options?: Record<string, number> } = {}): GeneratorData {
  return { kind: 'generator', generator, n: 200, noise: 0.1, seed: 0, options: {}, range: range(0, 0, 0, 0), ...options };
}

function classCounts(data: Dataset): number[] {
  const counts = new Array<number>(data.classes).fill(0);
  for (const label of data.train.y) counts[label]! += 1;
  return counts;
}

function column(data: Dataset, j: number): number[] {
  return Array.from({ length: data.train.n }, (_, i) => data.train.x[i * data.features + j]!);
}

describe('data generators', () => {
  it('adding: [T, 2] steps of (value in [0, 1), marker); one marked step per half; target = the sum of the marked values', () => {
    const T = 30, data = generate(spec('adding', { n: 500, options: { T } }));
    let sum = 0, squares = 0;
    for (let i = 0; i < data.train.n; i++) {
      const marked: number[] = [];
      for (let t = 0; t < T; t++) {
        const value = data.train.x[i * 2 * T + 2 * t]!, marker = data.train.x[i * 2 * T + 2 * t + 1]!;
        assert.ok(value >= 0 && value < 1);
        assert.ok(marker === 0 || marker === 1);
        if (marker === 1) marked.push(t);
      }
      assert.equal(marked.length, 2);
      assert.ok(marked[0]! < T / 2 && marked[1]! >= T / 2, `marked steps ${marked}`);
      const target = data.train.x[i * 2 * T + 2 * marked[0]!]! + data.train.x[i * 2 * T + 2 * marked[1]!]!;
      assert.equal(data.train.y[i], target);
      sum += target;
      squares += target * target;
    }
    // The mean predictor's MSE is the target's variance, 2·(1/12) = 1/6.
    const mean = sum / data.train.n, variance = squares / data.train.n - mean * mean;
    assert.ok(Math.abs(mean - 1) < 0.05, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1 / 6) < 0.02, `variance ${variance}`);
  });

  it('adding holds out a validation set: split=0.75 of 40 keeps 30 for training and 10 for validation, in the checker too', () => {
    const data = generate(spec('adding', { n: 40, options: { T: 5, split: 0.75 } }));
    assert.equal(data.train.n, 30);
    assert.equal(data.validation?.n, 10);
    assert.equal(data.validation?.x.length, 10 * 10);
    assert.equal(check('input 10\ndata adding T=5 n=40 split=0.75\ndense 1\n').spec?.dataShape.trainSize, 30);
    assert.equal(generate(spec('adding', { n: 40, options: { T: 5, split: 1 } })).validation, undefined);
  });

  it('`data adding T=20` checks as regression with 40 values per example (T·2), input 40', () => {
    const result = check('input 40\ndata adding T=20 n=64\ndense 1\n');
    assert.deepEqual(result.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.equal(result.spec?.dataShape.features, 40);
    assert.equal(result.spec?.dataShape.task, 'regression');
  });

  const shapes: [GeneratorKind, Record<string, number>, Dataset['task'], number, number][] = [
    ['xor', {}, 'binary', 2, 2],
    ['circles', {}, 'binary', 2, 2],
    ['moons', {}, 'binary', 2, 2],
    ['spiral', {}, 'classes', 2, 3],
    ['spiral', { classes: 5 }, 'classes', 2, 5],
    ['blobs', {}, 'classes', 2, 3],
    ['blobs', { classes: 2, features: 32 }, 'classes', 32, 2],
    ['checkerboard', {}, 'binary', 2, 2],
    ['sine', {}, 'regression', 1, 0],
    ['linear', {}, 'regression', 1, 0],
    ['linear', { features: 7 }, 'regression', 7, 0],
    ['adding', {}, 'regression', 100, 0],
    ['adding', { T: 20 }, 'regression', 40, 0],
  ];
  for (const [generator, options, task, features, classes] of shapes) {
    it(`${generator} ${JSON.stringify(options)} gives n examples of ${features} features, task ${task}`, () => {
      const data = generate(spec(generator, { n: 123, options }));
      assert.equal(data.task, task);
      assert.equal(data.features, features);
      assert.equal(data.classes, classes);
      assert.equal(data.targetWidth, 1);
      assert.equal(data.train.n, 123);
      assert.equal(data.train.x.length, 123 * features);
      assert.equal(data.train.y.length, 123);
      assert.equal(data.validation, undefined);
      assert.ok(data.train.x.every(Number.isFinite));
      if (task !== 'regression') assert.ok(data.train.y.every((label) => Number.isInteger(label) && label >= 0 && label < classes));
    });
  }

  it('is deterministic per seed: the same seed gives bit-identical data, another seed other data', () => {
    for (const generator of ['xor', 'circles', 'moons', 'spiral', 'blobs', 'checkerboard', 'sine', 'linear', 'adding'] as const) {
      const a = generate(spec(generator, { seed: 7 }));
      const b = generate(spec(generator, { seed: 7 }));
      const c = generate(spec(generator, { seed: 8 }));
      assert.deepEqual(a.train.x, b.train.x, generator);
      assert.deepEqual(a.train.y, b.train.y, generator);
      assert.notDeepEqual(a.train.x, c.train.x, generator);
    }
  });

  it('balances the classes: every class gets n/k examples, the first n mod k one more', () => {
    assert.deepEqual(classCounts(generate(spec('spiral', { n: 301, options: { classes: 3 } }))), [101, 100, 100]);
    assert.deepEqual(classCounts(generate(spec('blobs', { n: 10, options: { classes: 4 } }))), [3, 3, 2, 2]);
    assert.deepEqual(classCounts(generate(spec('xor', { n: 200 }))), [100, 100]);
    assert.deepEqual(classCounts(generate(spec('circles', { n: 201 }))), [101, 100]);
    assert.deepEqual(classCounts(generate(spec('moons', { n: 200 }))), [100, 100]);
    const board = classCounts(generate(spec('checkerboard', { n: 4000 })));
    assert.ok(Math.abs(board[0]! - board[1]!) < 250, `checkerboard counts ${board}`);
  });

  it('shuffles the examples so that the labels are not in blocks', () => {
    const labels = Array.from(generate(spec('spiral', { n: 300 })).train.y);
    assert.notDeepEqual(labels, [...labels].sort());
  });

  it('xor labels 1 exactly where the coordinates have different signs (without noise)', () => {
    const data = generate(spec('xor', { noise: 0, n: 40 }));
    for (let i = 0; i < data.train.n; i++) {
      const [a, b] = [data.train.x[2 * i]!, data.train.x[2 * i + 1]!];
      assert.equal(Math.abs(a), 1);
      assert.equal(data.train.y[i], Math.sign(a) === Math.sign(b) ? 0 : 1);
    }
  });

  it('circles put label 0 on the unit circle and label 1 on the circle of radius factor (without noise)', () => {
    const data = generate(spec('circles', { noise: 0, options: { factor: 0.3 } }));
    for (let i = 0; i < data.train.n; i++) {
      const radius = Math.hypot(data.train.x[2 * i]!, data.train.x[2 * i + 1]!);
      assert.ok(Math.abs(radius - (data.train.y[i] === 1 ? 0.3 : 1)) < 1e-12);
    }
  });

  it('checkerboard colours a 2×2 board by quadrant (without noise)', () => {
    const data = generate(spec('checkerboard', { noise: 0, options: { cells: 2 } }));
    for (let i = 0; i < data.train.n; i++) {
      const [a, b] = [data.train.x[2 * i]!, data.train.x[2 * i + 1]!];
      assert.equal(data.train.y[i], (a < 0) === (b < 0) ? 0 : 1);
    }
  });

  it('sine targets are sin(x) plus noise of the given standard deviation', () => {
    const exact = generate(spec('sine', { noise: 0 }));
    exact.train.y.forEach((y, i) => assert.equal(y, Math.sin(exact.train.x[i]!)));
    assert.ok(column(exact, 0).every((x) => x >= -Math.PI && x <= Math.PI));
    const noisy = generate(spec('sine', { noise: 0.5, n: 4000 }));
    const residuals = Array.from(noisy.train.y, (y, i) => y - Math.sin(noisy.train.x[i]!));
    const std = Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / residuals.length);
    assert.ok(Math.abs(std - 0.5) < 0.03, `noise std ${std}`);
  });

  it('linear targets are an exact affine function of the features without noise', () => {
    const data = generate(spec('linear', { noise: 0, options: { features: 2 } }));
    // Recover w and b from three examples, then check every other example against them.
    const x = (i: number, j: number): number => data.train.x[2 * i + j]!;
    const y = (i: number): number => data.train.y[i]!;
    const det = (x(1, 0) - x(0, 0)) * (x(2, 1) - x(0, 1)) - (x(2, 0) - x(0, 0)) * (x(1, 1) - x(0, 1));
    const w0 = ((y(1) - y(0)) * (x(2, 1) - x(0, 1)) - (y(2) - y(0)) * (x(1, 1) - x(0, 1))) / det;
    const w1 = ((x(1, 0) - x(0, 0)) * (y(2) - y(0)) - (x(2, 0) - x(0, 0)) * (y(1) - y(0))) / det;
    const b = y(0) - w0 * x(0, 0) - w1 * x(0, 1);
    for (let i = 3; i < data.train.n; i++) assert.ok(Math.abs(w0 * x(i, 0) + w1 * x(i, 1) + b - y(i)) < 1e-9);
  });

  it('blobs scatter each class around its own centre with standard deviation noise', () => {
    const data = generate(spec('blobs', { n: 3000, noise: 0.2, options: { classes: 3, features: 2 } }));
    for (let k = 0; k < 3; k++) {
      const xs = column(data, 0).filter((_, i) => data.train.y[i] === k);
      const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
      const std = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length);
      assert.ok(Math.abs(std - 0.2) < 0.02, `class ${k} std ${std}`);
    }
  });

  it('names its origin as the resolved statement', () => {
    assert.equal(generate(spec('spiral', { n: 300, noise: 0.2, seed: 1 })).source, 'spiral n=300 noise=0.2 seed=1 classes=3');
  });
});

describe('data generators agree with the checker', () => {
  // The checker computes a DataShape from the `data` statement alone; the engine trusts it
  // to size the network. Every generator must produce exactly that shape.
  const networks: [string, number, string][] = [
    ['xor', 2, 'dense 1 sigmoid'],
    ['circles factor=0.3', 2, 'dense 1 sigmoid'],
    ['moons', 2, 'dense 1 sigmoid'],
    ['checkerboard cells=3', 2, 'dense 1 sigmoid'],
    ['spiral', 2, 'dense 3'],
    ['spiral classes=4', 2, 'dense 4'],
    ['blobs', 2, 'dense 3'],
    ['blobs classes=2 features=5', 5, 'dense 2'],
    ['sine', 1, 'dense 1'],
    ['linear', 1, 'dense 1'],
    ['linear features=3', 3, 'dense 1'],
    ['adding T=6', 12, 'dense 1'],
  ];
  for (const [statement, input, output] of networks) {
    it(`data ${statement}`, () => {
      const result = check(`data ${statement} n=50\ninput ${input}\ndense 8 relu\n${output}\n`);
      assert.ok(result.spec, result.diagnostics.map((d) => d.message).join('; '));
      assert.equal(result.spec.data.kind, 'generator');
      assert.deepEqual(dataShapeOf(generate(result.spec.data as GeneratorData)), result.spec.dataShape);
    });
  }
});
