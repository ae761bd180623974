// The WebAssembly SIMD products against float64 triple loops, at shapes that exercise the
// packing (rows not a multiple of 4, widths not a multiple of 8, a single row or column),
// the memory growing between calls, and the dispatch in gemm.ts agreeing with the
// JavaScript kernels. Float32 accumulation: agreement to a few ulps of the sum's scale.

import { strict as assert } from 'node:assert';
import { gemm, gemmJs, gemmNT, gemmNTJs, gemmTN, gemmTNJs } from '../../src/engine/kernels/gemm';
import { wasmGemm, wasmGemmAvailable, wasmGemmNT, wasmGemmTN } from '../../src/engine/kernels/gemm-wasm';
import { testRandom } from './helpers/specs';

function randomFloats(n: number, seed: number): Float32Array {
  const r = testRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}

/** Largest difference relative to the largest reference value. */
function relativeError(got: Float32Array, want: Float64Array): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  return worst / (scale || 1);
}

const SHAPES: [number, number, number][] = [
  [1, 1, 8], [4, 2, 8], [3, 5, 9], [13, 17, 11], [64, 100, 24], [37, 61, 29], [128, 2, 64], [7, 300, 1],
  // depths over 256 with widths a multiple of 8: the kernel runs in slices that add into C
  [12, 700, 16], [300, 24, 16], [12, 16, 700],
];

describe('WebAssembly SIMD gemm', () => {
  it('compiles in this Node (WebAssembly SIMD is part of Node 20)', () => {
    assert.equal(wasmGemmAvailable(), true);
  });

  for (const [rows, inner, cols] of SHAPES) {
    it(`y = x·w for [${rows}, ${inner}]·[${inner}, ${cols}]`, () => {
      const x = randomFloats(rows * inner, 1), w = randomFloats(inner * cols, 2);
      const y = new Float32Array(rows * cols).fill(NaN), want = new Float64Array(rows * cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) for (let p = 0; p < inner; p++) want[i * cols + j] += x[i * inner + p] * w[p * cols + j];
      assert.equal(wasmGemm(x, w, y, rows, inner, cols), true);
      assert.ok(relativeError(y, want) < 1e-5, `error ${relativeError(y, want)}`);
    });
    it(`dx = dy·wᵀ for dy [${rows}, ${cols}], w [${inner}, ${cols}]`, () => {
      const dy = randomFloats(rows * cols, 3), w = randomFloats(inner * cols, 4);
      const dx = new Float32Array(rows * inner).fill(NaN), want = new Float64Array(rows * inner);
      for (let i = 0; i < rows; i++) for (let p = 0; p < inner; p++) for (let j = 0; j < cols; j++) want[i * inner + p] += dy[i * cols + j] * w[p * cols + j];
      assert.equal(wasmGemmNT(dy, w, dx, rows, inner, cols), true);
      assert.ok(relativeError(dx, want) < 1e-5, `error ${relativeError(dx, want)}`);
    });
    it(`dw = xᵀ·dy for x [${rows}, ${inner}], dy [${rows}, ${cols}]`, () => {
      const x = randomFloats(rows * inner, 5), dy = randomFloats(rows * cols, 6);
      const dw = new Float32Array(inner * cols).fill(NaN), want = new Float64Array(inner * cols);
      for (let p = 0; p < inner; p++) for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) want[p * cols + j] += x[i * inner + p] * dy[i * cols + j];
      assert.equal(wasmGemmTN(x, dy, dw, rows, inner, cols), true);
      assert.ok(relativeError(dw, want) < 1e-5, `error ${relativeError(dw, want)}`);
    });
  }

  it('grows its memory for a large product and stays correct for a small one after it', () => {
    const big = 600;
    const x = randomFloats(big * big, 7), w = randomFloats(big * big, 8);
    const y = new Float32Array(big * big);
    wasmGemm(x, w, y, big, big, big);
    let want = 0;
    for (let p = 0; p < big; p++) want += x[5 * big + p] * w[p * big + 9];
    assert.ok(Math.abs(y[5 * big + 9] - want) < 1e-4 * big);
    // Leftovers of the big product sit in the padding of the small one: they must not leak in.
    const a = Float32Array.from([1, 2, 3]);
    const b = new Float32Array(3 * 9); // [3, 9]: the identity in its first three columns
    for (let p = 0; p < 3; p++) b[p * 9 + p] = 1;
    const c = new Float32Array(9);
    wasmGemm(a, b, c, 1, 3, 9);
    assert.deepEqual([...c], [1, 2, 3, 0, 0, 0, 0, 0, 0]);
  });

  it('gemm, gemmNT and gemmTN agree with the JavaScript kernels on float32 whichever path they take', () => {
    for (const [rows, inner, cols] of [[64, 784, 128], [128, 64, 3], [2, 3, 4]] as const) {
      const x = randomFloats(rows * inner, 9), w = randomFloats(inner * cols, 10), dy = randomFloats(rows * cols, 11);
      const pairs: [Float32Array, Float32Array][] = [];
      const y1 = new Float32Array(rows * cols), y2 = new Float32Array(rows * cols);
      gemm(x, w, y1, rows, inner, cols); gemmJs(x, w, y2, rows, inner, cols); pairs.push([y1, y2]);
      const dx1 = new Float32Array(rows * inner), dx2 = new Float32Array(rows * inner);
      gemmNT(dy, w, dx1, rows, inner, cols); gemmNTJs(dy, w, dx2, rows, inner, cols); pairs.push([dx1, dx2]);
      const dw1 = new Float32Array(inner * cols), dw2 = new Float32Array(inner * cols);
      gemmTN(x, dy, dw1, rows, inner, cols); gemmTNJs(x, dy, dw2, rows, inner, cols); pairs.push([dw1, dw2]);
      for (const [got, reference] of pairs) assert.ok(relativeError(got, Float64Array.from(reference)) < 1e-5);
    }
  });

  it('float64 products never leave JavaScript (gradient checks need every bit)', () => {
    const rows = 64, inner = 64, cols = 64;
    const x = Float64Array.from(randomFloats(rows * inner, 12)), w = Float64Array.from(randomFloats(inner * cols, 13));
    const y1 = new Float64Array(rows * cols), y2 = new Float64Array(rows * cols);
    gemm(x, w, y1, rows, inner, cols);
    gemmJs(x, w, y2, rows, inner, cols);
    assert.deepEqual(y1, y2);
  });
});
