// Every kernel against a naive reference written the obvious way.

import { strict as assert } from 'node:assert';
import { gemm, gemmNT, gemmTN } from '../../src/engine/kernels/gemm';
import { allFinite } from '../../src/engine/floats';
import { activate, activationGrad, biasActivate, softmaxRows } from '../../src/engine/kernels/activations';
import { erf, erfc, normalCdf, normalCdfs } from '../../src/engine/kernels/erf';
import { col2im, im2col, type WindowLayout } from '../../src/engine/kernels/im2col';
import { moments, stdFrom, sumRows, sumSquaresInto, MAX_ABS, SUM, SUM_SQUARES } from '../../src/engine/kernels/reduce';
import { testRandom } from './helpers/specs';

function randomArray(n: number, seed: number, Type: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array) {
  const r = testRandom(seed);
  const out = new Type(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [4, 2, 8], [4, 8, 1], [5, 7, 3], [8, 8, 8], [13, 17, 11], [32, 64, 10], [3, 1, 6],
];

describe('gemm kernels match naive triple loops', () => {
  for (const [rows, inner, cols] of SHAPES) {
    it(`y = x·w for [${rows}, ${inner}]·[${inner}, ${cols}]`, () => {
      const x = randomArray(rows * inner, 1), w = randomArray(inner * cols, 2);
      const y = new Float64Array(rows * cols).fill(NaN), ref = new Float64Array(rows * cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) for (let p = 0; p < inner; p++) ref[i * cols + j] += x[i * inner + p] * w[p * cols + j];
      gemm(x, w, y, rows, inner, cols);
      assert.ok(maxDiff(y, ref, y.length) < 1e-12);
    });
    it(`dx = dy·wᵀ for dy [${rows}, ${cols}], w [${inner}, ${cols}]`, () => {
      const dy = randomArray(rows * cols, 3), w = randomArray(inner * cols, 4);
      const dx = new Float64Array(rows * inner).fill(NaN), ref = new Float64Array(rows * inner);
      for (let i = 0; i < rows; i++) for (let p = 0; p < inner; p++) for (let j = 0; j < cols; j++) ref[i * inner + p] += dy[i * cols + j] * w[p * cols + j];
      gemmNT(dy, w, dx, rows, inner, cols);
      assert.ok(maxDiff(dx, ref, dx.length) < 1e-12);
    });
    it(`dw = xᵀ·dy for x [${rows}, ${inner}], dy [${rows}, ${cols}]`, () => {
      const x = randomArray(rows * inner, 5), dy = randomArray(rows * cols, 6);
      const dw = new Float64Array(inner * cols).fill(NaN), ref = new Float64Array(inner * cols);
      for (let p = 0; p < inner; p++) for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) ref[p * cols + j] += x[i * inner + p] * dy[i * cols + j];
      gemmTN(x, dy, dw, rows, inner, cols);
      assert.ok(maxDiff(dw, ref, dw.length) < 1e-12);
    });
  }

  it('uses only the first `rows` rows of larger buffers (a short last batch)', () => {
    const x = randomArray(8 * 5, 7), w = randomArray(5 * 6, 8);
    const full = new Float64Array(8 * 6), part = new Float64Array(8 * 6).fill(7);
    gemm(x, w, full, 8, 5, 6);
    gemm(x, w, part, 3, 5, 6);
    assert.deepEqual(Array.from(part.subarray(0, 18)), Array.from(full.subarray(0, 18)));
    assert.ok(part.subarray(18).every((v) => v === 7), 'rows past `rows` are untouched');
  });

  it('float32 buffers give the float64 result rounded to float32 precision', () => {
    const x32 = randomArray(6 * 9, 9, Float32Array), w32 = randomArray(9 * 5, 10, Float32Array);
    const y32 = new Float32Array(30), y64 = new Float64Array(30);
    gemm(x32, w32, y32, 6, 9, 5);
    gemm(Float64Array.from(x32), Float64Array.from(w32), y64, 6, 9, 5);
    assert.ok(maxDiff(y32, y64, 30) < 1e-6);
  });
});

describe('activation kernels', () => {
  it('bias + activation in one pass equals adding the bias and then applying f', () => {
    const z = randomArray(3 * 4, 11), b = randomArray(4, 12), y = new Float64Array(12);
    const zRef = z.map((v, i) => v + b[i % 4]);
    biasActivate(z, b, y, 3, 4, 'tanh', 0);
    assert.ok(maxDiff(z, zRef, 12) === 0);
    assert.ok(maxDiff(y, zRef.map(Math.tanh), 12) < 1e-15);
  });

  it('values at hand-checked points', () => {
    const z = Float64Array.from([-2, -0.5, 0, 0.5, 2]);
    const y = new Float64Array(5);
    const at = (kind: Parameters<typeof activate>[3], alpha = 0) => { activate(z, y, 5, kind, alpha); return Array.from(y); };
    assert.deepEqual(at('relu'), [0, 0, 0, 0.5, 2]);
    assert.deepEqual(at('leaky_relu', 0.1), [-0.2, -0.05, 0, 0.5, 2]);
    assert.deepEqual(at('elu', 1).map((v) => +v.toFixed(12)), [Math.expm1(-2), Math.expm1(-0.5), 0, 0.5, 2].map((v) => +v.toFixed(12)));
    assert.ok(Math.abs(at('sigmoid')[4] - 1 / (1 + Math.exp(-2))) < 1e-15);
    assert.ok(Math.abs(at('softplus')[0] - Math.log(1 + Math.exp(-2))) < 1e-15);
    // gelu(x) = x·Φ(x); Φ(2) = 0.9772498680518208
    assert.ok(Math.abs(at('gelu')[4] - 2 * 0.9772498680518208) < 1e-15);
  });

  it('softplus is stable for large inputs (no overflow to Infinity)', () => {
    const y = new Float64Array(2);
    activate(Float64Array.from([800, -800]), y, 2, 'softplus', 0);
    assert.equal(y[0], 800);
    assert.equal(y[1], 0);
  });

  it('relu has derivative 0 at exactly 0, as PyTorch', () => {
    const z = Float64Array.from([0]), dz = new Float64Array(1);
    activationGrad(z, z, Float64Array.from([1]), dz, 1, 'relu', 0);
    assert.equal(dz[0], 0);
  });

  it('softmax rows sum to 1 and survive large logits', () => {
    const y = new Float64Array(6);
    softmaxRows(Float64Array.from([1, 2, 3, 1000, 1001, 1002]), y, 2, 3);
    assert.ok(Math.abs(y[0] + y[1] + y[2] - 1) < 1e-15);
    assert.ok(maxDiff(y.subarray(0, 3), y.subarray(3), 3) < 1e-15);
  });
});

describe('erf (exact gelu needs it to double precision)', () => {
  // Reference values from the standard tables (Abramowitz & Stegun), 16 significant digits.
  const table: [number, number][] = [
    [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
    [1.5, 0.9661051464753108], [2, 0.9953222650189527], [2.5, 0.9995930479825550], [3.5, 0.9999992569016276],
  ];
  for (const [x, value] of table) {
    it(`erf(${x}) = ${value}`, () => {
      assert.ok(Math.abs(erf(x) - value) < 2e-16 * 4, `${erf(x)}`);
      assert.ok(Math.abs(erf(-x) + value) < 2e-16 * 4);
    });
  }
  it('erfc keeps relative precision far in the tail', () => {
    assert.ok(Math.abs(erfc(4) / 1.541725790028002e-8 - 1) < 1e-13);
    assert.ok(Math.abs(erfc(6) / 2.151973671249892e-17 - 1) < 1e-13);
  });
  it('is continuous where the series hands over to the continued fraction (x = 2.2)', () => {
    // Taylor: erf(x) − erf(x − δ) = erf′·δ − ½erf″·δ² + O(δ³), erf′ = 2/√π·e^(−x²), erf″ = −2x·erf′
    const x = 2.2, slope = (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x), delta = 1e-6;
    const expected = slope * delta + x * slope * delta * delta;
    assert.ok(Math.abs(erf(x) - erf(x - delta) - expected) < 1e-15);
    assert.ok(Math.abs(erf(3) - 0.9999779095030014) < 1e-15);
  });
  it('the array form Φ used by gelu agrees with the scalar one everywhere', () => {
    const z = Float64Array.from({ length: 2001 }, (_, i) => (i - 1000) / 100);
    const phi = new Float64Array(z.length);
    normalCdfs(z, phi, z.length);
    for (let i = 0; i < z.length; i++) {
      assert.ok(Math.abs(phi[i] - normalCdf(z[i])) <= 2e-16 * Math.max(1e-300, normalCdf(z[i])) * 4, `z=${z[i]}`);
    }
  });
  it('Φ(0) = ½ and Φ(−z) = 1 − Φ(z)', () => {
    assert.equal(normalCdf(0), 0.5);
    assert.ok(Math.abs(normalCdf(-1.3) - (1 - normalCdf(1.3))) < 1e-16);
  });
});

describe('reductions', () => {
  it('allFinite finds NaN, +Inf, −Inf (also together) in any lane, and only within the first n values', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of [0, 1, 2, 3, 4, 8]) {
        const v = new Float32Array(9).fill(1);
        v[at] = bad;
        assert.equal(allFinite(v, 9), false, `${bad} at ${at}`);
        assert.equal(allFinite(v, at), true, 'values past n are not read');
      }
    }
    const both = Float64Array.from([1, Infinity, -Infinity, 2]);
    assert.equal(allFinite(both, 4), false);
    assert.equal(allFinite(Float64Array.from([1e300, -1e300, 3]), 3), true);
  });

  it('sumRows gives the column sums (the bias gradient)', () => {
    const out = new Float64Array(3);
    sumRows(Float64Array.from([1, 2, 3, 4, 5, 6]), out, 2, 3);
    assert.deepEqual(Array.from(out), [5, 7, 9]);
  });
  it('sum of squares, stored in the given slot, over lengths that are and are not multiples of 4', () => {
    const out = new Float64Array(2);
    for (const n of [0, 1, 3, 4, 7, 9]) {
      const v = Float64Array.from({ length: n }, (_, i) => i - 2);
      const expected = Array.from(v).reduce((a, x) => a + x * x, 0);
      sumSquaresInto(v, n, out);
      assert.equal(out[0], expected);
      sumSquaresInto(v, n, out, 1);
      assert.equal(out[1], expected);
    }
  });
  it('moments: sum, sum of squares and max |x| in one pass', () => {
    const out = new Float64Array(3);
    moments(Float64Array.from([1, -3, 2]), 3, out);
    assert.equal(out[SUM], 0);
    assert.equal(out[SUM_SQUARES], 14);
    assert.equal(out[MAX_ABS], 3);
    assert.ok(Math.abs(stdFrom(0, 14, 3) - Math.sqrt(14 / 3)) < 1e-15);
  });
});

describe('im2col and col2im', () => {
  /** x[r, c, y, x] of an example laid out by `layout`, 0 outside the image. */
  const at = (l: WindowLayout, x: ArrayLike<number>, r: number, c: number, y: number, col: number) =>
    y < 0 || y >= l.height || col < 0 || col >= l.width ? 0 : x[r * l.channels * l.height * l.width + c * l.channelStride + y * l.rowStride + col * l.columnStride];
  const out = (size: number, k: number, s: number, p: number) => Math.floor((size + 2 * p - k) / s) + 1;
  // Channel-first images (conv2d) and step-major sequences (conv1d: 1×T, channels adjacent);
  // paddings up to beyond the kernel, so some windows lie wholly outside.
  const layouts: WindowLayout[] = [];
  for (const [c, h, w, k, s, p] of [[2, 5, 6, 3, 1, 0], [3, 7, 6, 3, 2, 1], [1, 4, 4, 4, 1, 2], [2, 3, 5, 2, 3, 3]]) {
    layouts.push({ channels: c, height: h, width: w, channelStride: h * w, rowStride: w, columnStride: 1, kernelHeight: k, kernelWidth: k, stride: s, padHeight: p, padWidth: p, outHeight: out(h, k, s, p), outWidth: out(w, k, s, p) });
  }
  for (const [t, f, k, s, p] of [[7, 3, 3, 1, 0], [8, 2, 3, 2, 1], [5, 4, 2, 1, 3]]) {
    layouts.push({ channels: f, height: 1, width: t, channelStride: 1, rowStride: t * f, columnStride: f, kernelHeight: 1, kernelWidth: k, stride: s, padHeight: 0, padWidth: p, outHeight: 1, outWidth: out(t, k, s, p) });
  }
  for (const l of layouts) {
    const name = `${l.channels}×${l.height}×${l.width} (strides ${l.channelStride}, ${l.rowStride}, ${l.columnStride}) k${l.kernelHeight}×${l.kernelWidth} s${l.stride} p${l.padHeight},${l.padWidth}`;
    const rows = 3, example = l.channels * l.height * l.width, field = l.channels * l.kernelHeight * l.kernelWidth, positions = l.outHeight * l.outWidth;
    it(`im2col copies each window entry from its pixel, 0 outside: ${name}`, () => {
      const x = randomArray(rows * example, 31);
      const cols = new Float64Array(rows * positions * field).fill(NaN);
      im2col(l, x, cols, rows);
      for (let r = 0; r < rows; r++) for (let i = 0; i < l.outHeight; i++) for (let j = 0; j < l.outWidth; j++)
        for (let c = 0; c < l.channels; c++) for (let ki = 0; ki < l.kernelHeight; ki++) for (let kj = 0; kj < l.kernelWidth; kj++) {
          const got = cols[((r * l.outHeight + i) * l.outWidth + j) * field + (c * l.kernelHeight + ki) * l.kernelWidth + kj];
          assert.equal(got, at(l, x, r, c, i * l.stride + ki - l.padHeight, j * l.stride + kj - l.padWidth));
        }
    });
    it(`col2im is im2col's adjoint (⟨im2col x, g⟩ = ⟨x, col2im g⟩) and clears what it does not reach: ${name}`, () => {
      const x = randomArray(rows * example, 32), g = randomArray(rows * positions * field, 33);
      const cols = new Float64Array(rows * positions * field), dx = new Float64Array(rows * example).fill(7);
      im2col(l, x, cols, rows);
      col2im(l, g, dx, rows);
      let left = 0, right = 0;
      for (let i = 0; i < cols.length; i++) left += cols[i] * g[i];
      for (let i = 0; i < dx.length; i++) right += x[i] * dx[i];
      assert.ok(Math.abs(left - right) <= 1e-12 * Math.max(1, Math.abs(left)), `${left} vs ${right}`);
      assert.ok(!dx.includes(7));
    });
  }
});
