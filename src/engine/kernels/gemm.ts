// Matrix products for dense layers, forward and backward, on flat row-major arrays.
// Shapes use one naming throughout: a batch of `rows` examples, a layer from `inner`
// inputs to `cols` outputs. Each kernel overwrites its output.
//
// Speed: each computes 4×4 output tiles with sixteen accumulators held in locals across
// the whole reduction (register blocking), reading both operands along contiguous
// rows; the two backward products index their operands transposed in place instead of
// materialising a transpose. Edges (sizes not a multiple of 4) fall back to plain loops.
// Float32 products large enough to repay packing run on the WebAssembly SIMD kernel
// instead (gemm-wasm.ts); these JavaScript kernels stay the reference and the fallback.

import type { Floats } from '../floats';
import { wasmGemm, wasmGemmNT, wasmGemmTN } from './gemm-wasm';

/**
 * Float32 products go to the WebAssembly SIMD kernel (gemm-wasm.ts) from this many
 * multiply-adds on: below it, copying the operands in and out costs more than SIMD
 * saves. Narrow outputs (a width-1 regression head) still win there, padding and all.
 * Measured with bench/gemm-micro.ts. Float64 (gradient checks) always stays in JavaScript.
 */
const WASM_MIN_MULTIPLY_ADDS = 1024;

function worthWasm(rows: number, inner: number, cols: number): boolean {
  return rows * inner * cols >= WASM_MIN_MULTIPLY_ADDS;
}

/** y[rows, cols] = x[rows, inner] · w[inner, cols] */
export function gemm(x: Floats, w: Floats, y: Floats, rows: number, inner: number, cols: number): void {
  if (x instanceof Float32Array && w instanceof Float32Array && y instanceof Float32Array && worthWasm(rows, inner, cols) && wasmGemm(x, w, y, rows, inner, cols)) return;
  gemmJs(x, w, y, rows, inner, cols);
}

/** The JavaScript kernel: the reference, the float64 path and the fallback. */
export function gemmJs(x: Floats, w: Floats, y: Floats, rows: number, inner: number, cols: number): void {
  const r4 = rows - (rows % 4);
  const c4 = cols - (cols % 4);
  for (let i = 0; i < r4; i += 4) {
    const x0 = i * inner, x1 = x0 + inner, x2 = x1 + inner, x3 = x2 + inner;
    for (let j = 0; j < c4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0, wp = j; p < inner; p++, wp += cols) {
        const a0 = x[x0 + p], a1 = x[x1 + p], a2 = x[x2 + p], a3 = x[x3 + p];
        const b0 = w[wp], b1 = w[wp + 1], b2 = w[wp + 2], b3 = w[wp + 3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      let o = i * cols + j;
      y[o] = c00; y[o + 1] = c01; y[o + 2] = c02; y[o + 3] = c03; o += cols;
      y[o] = c10; y[o + 1] = c11; y[o + 2] = c12; y[o + 3] = c13; o += cols;
      y[o] = c20; y[o + 1] = c21; y[o + 2] = c22; y[o + 3] = c23; o += cols;
      y[o] = c30; y[o + 1] = c31; y[o + 2] = c32; y[o + 3] = c33;
    }
  }
  if (c4 < cols) gemmEdge(x, w, y, 0, r4, c4, cols, inner, cols);
  if (r4 < rows) gemmEdge(x, w, y, r4, rows, 0, cols, inner, cols);
}

function gemmEdge(
  x: Floats, w: Floats, y: Floats,
  i0: number, i1: number, j0: number, j1: number, inner: number, cols: number,
): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      let s = 0;
      for (let p = 0; p < inner; p++) s += x[i * inner + p] * w[p * cols + j];
      y[i * cols + j] = s;
    }
  }
}

/** dx[rows, inner] = dy[rows, cols] · w[inner, cols]ᵀ  (input gradient of y = x·w) */
export function gemmNT(dy: Floats, w: Floats, dx: Floats, rows: number, inner: number, cols: number): void {
  if (dy instanceof Float32Array && w instanceof Float32Array && dx instanceof Float32Array && worthWasm(rows, inner, cols) && wasmGemmNT(dy, w, dx, rows, inner, cols)) return;
  gemmNTJs(dy, w, dx, rows, inner, cols);
}

/** The JavaScript kernel: the reference, the float64 path and the fallback. */
export function gemmNTJs(dy: Floats, w: Floats, dx: Floats, rows: number, inner: number, cols: number): void {
  const r4 = rows - (rows % 4);
  const q4 = inner - (inner % 4);
  for (let i = 0; i < r4; i += 4) {
    const a0 = i * cols, a1 = a0 + cols, a2 = a1 + cols, a3 = a2 + cols;
    for (let q = 0; q < q4; q += 4) {
      const b0 = q * cols, b1 = b0 + cols, b2 = b1 + cols, b3 = b2 + cols;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let j = 0; j < cols; j++) {
        const u0 = dy[a0 + j], u1 = dy[a1 + j], u2 = dy[a2 + j], u3 = dy[a3 + j];
        const v0 = w[b0 + j], v1 = w[b1 + j], v2 = w[b2 + j], v3 = w[b3 + j];
        c00 += u0 * v0; c01 += u0 * v1; c02 += u0 * v2; c03 += u0 * v3;
        c10 += u1 * v0; c11 += u1 * v1; c12 += u1 * v2; c13 += u1 * v3;
        c20 += u2 * v0; c21 += u2 * v1; c22 += u2 * v2; c23 += u2 * v3;
        c30 += u3 * v0; c31 += u3 * v1; c32 += u3 * v2; c33 += u3 * v3;
      }
      let o = i * inner + q;
      dx[o] = c00; dx[o + 1] = c01; dx[o + 2] = c02; dx[o + 3] = c03; o += inner;
      dx[o] = c10; dx[o + 1] = c11; dx[o + 2] = c12; dx[o + 3] = c13; o += inner;
      dx[o] = c20; dx[o + 1] = c21; dx[o + 2] = c22; dx[o + 3] = c23; o += inner;
      dx[o] = c30; dx[o + 1] = c31; dx[o + 2] = c32; dx[o + 3] = c33;
    }
  }
  if (q4 < inner) gemmNTEdge(dy, w, dx, 0, r4, q4, inner, inner, cols);
  if (r4 < rows) gemmNTEdge(dy, w, dx, r4, rows, 0, inner, inner, cols);
}

function gemmNTEdge(
  dy: Floats, w: Floats, dx: Floats,
  i0: number, i1: number, q0: number, q1: number, inner: number, cols: number,
): void {
  for (let i = i0; i < i1; i++) {
    for (let q = q0; q < q1; q++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += dy[i * cols + j] * w[q * cols + j];
      dx[i * inner + q] = s;
    }
  }
}

/** dw[inner, cols] = x[rows, inner]ᵀ · dy[rows, cols]  (weight gradient of y = x·w) */
export function gemmTN(x: Floats, dy: Floats, dw: Floats, rows: number, inner: number, cols: number): void {
  if (x instanceof Float32Array && dy instanceof Float32Array && dw instanceof Float32Array && worthWasm(rows, inner, cols) && wasmGemmTN(x, dy, dw, rows, inner, cols)) return;
  gemmTNJs(x, dy, dw, rows, inner, cols);
}

/** The JavaScript kernel: the reference, the float64 path and the fallback. */
export function gemmTNJs(x: Floats, dy: Floats, dw: Floats, rows: number, inner: number, cols: number): void {
  const p4 = inner - (inner % 4);
  const c4 = cols - (cols % 4);
  for (let p = 0; p < p4; p += 4) {
    for (let j = 0; j < c4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let i = 0, xi = p, di = j; i < rows; i++, xi += inner, di += cols) {
        const a0 = x[xi], a1 = x[xi + 1], a2 = x[xi + 2], a3 = x[xi + 3];
        const b0 = dy[di], b1 = dy[di + 1], b2 = dy[di + 2], b3 = dy[di + 3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      let o = p * cols + j;
      dw[o] = c00; dw[o + 1] = c01; dw[o + 2] = c02; dw[o + 3] = c03; o += cols;
      dw[o] = c10; dw[o + 1] = c11; dw[o + 2] = c12; dw[o + 3] = c13; o += cols;
      dw[o] = c20; dw[o + 1] = c21; dw[o + 2] = c22; dw[o + 3] = c23; o += cols;
      dw[o] = c30; dw[o + 1] = c31; dw[o + 2] = c32; dw[o + 3] = c33;
    }
  }
  if (c4 < cols) gemmTNEdge(x, dy, dw, rows, 0, p4, c4, cols, inner, cols);
  if (p4 < inner) gemmTNEdge(x, dy, dw, rows, p4, inner, 0, cols, inner, cols);
}

function gemmTNEdge(
  x: Floats, dy: Floats, dw: Floats, rows: number,
  p0: number, p1: number, j0: number, j1: number, inner: number, cols: number,
): void {
  for (let p = p0; p < p1; p++) {
    for (let j = j0; j < j1; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += x[i * inner + p] * dy[i * cols + j];
      dw[p * cols + j] = s;
    }
  }
}
