// The float32 matrix products on the WebAssembly SIMD kernel (gemm-wasm-module.ts). The
// engine's buffers live in JavaScript, so each call packs its operands into the module's
// memory in the layout the kernel reads (4-row blocks of A, 8-column panels of B, zero
// padding to those multiples), transposing on the way for the backward products, runs
// the kernel and copies the product out. Packing costs O(m·k + k·n), the product
// O(m·k·n): worth it from a few thousand multiply-adds on. Where WebAssembly SIMD is
// unavailable every function returns false and the caller runs the JavaScript kernel.

import { gemmModuleBytes } from './gemm-wasm-module';

interface Kernel {
  memory: WebAssembly.Memory;
  product: (a: number, b: number, c: number, m: number, k: number, n: number) => void;
}

let kernel: Kernel | null | undefined;
let heap = new Float32Array(0);

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(gemmModuleBytes()), {});
    const exports = instance.exports as unknown as Kernel;
    kernel = { memory: exports.memory, product: exports.product };
  } catch {
    kernel = null; // no SIMD in this runtime: the JavaScript kernels stay in charge
  }
  return kernel;
}

/** True when the WebAssembly kernel compiled in this runtime. */
export function wasmGemmAvailable(): boolean {
  return load() !== null;
}

const roundUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

/** Makes room for A, B and C (in floats) and returns their float offsets in `heap`. */
function reserve(k: Kernel, aFloats: number, bFloats: number, cFloats: number): [number, number, number] {
  const needed = (aFloats + bFloats + cFloats) * 4;
  const have = k.memory.buffer.byteLength;
  if (needed > have) k.memory.grow(Math.ceil((needed - have) / 65536));
  if (heap.buffer !== k.memory.buffer) heap = new Float32Array(k.memory.buffer);
  return [0, aFloats, aFloats + bFloats];
}

/** heap[at..] = A in 4-row blocks, A(i, p) = src[i·rowStep + p·colStep] for i < rows, 0 below. */
function packRows(src: Float32Array, at: number, rows: number, m: number, depth: number, rowStep: number, colStep: number): void {
  const h = heap;
  for (let i = 0; i < m; i++) {
    let d = at + (i >> 2) * depth * 4 + (i & 3);
    if (i < rows) {
      for (let p = 0, s = i * rowStep; p < depth; p++, d += 4, s += colStep) h[d] = src[s];
    } else {
      for (let p = 0; p < depth; p++, d += 4) h[d] = 0;
    }
  }
}

/** heap[at..] = B in 8-column panels, B(p, j) = src[p·rowStep + j·colStep] for j < cols, 0 beyond. */
function packPanels(src: Float32Array, at: number, depth: number, cols: number, n: number, rowStep: number, colStep: number): void {
  const h = heap;
  let d = at;
  for (let j0 = 0; j0 < n; j0 += 8) {
    if (j0 + 8 <= cols) {
      for (let p = 0; p < depth; p++) {
        const s = p * rowStep + j0 * colStep;
        h[d] = src[s]; h[d + 1] = src[s + colStep]; h[d + 2] = src[s + 2 * colStep]; h[d + 3] = src[s + 3 * colStep];
        h[d + 4] = src[s + 4 * colStep]; h[d + 5] = src[s + 5 * colStep]; h[d + 6] = src[s + 6 * colStep]; h[d + 7] = src[s + 7 * colStep];
        d += 8;
      }
    } else {
      for (let p = 0; p < depth; p++) {
        for (let c = 0; c < 8; c++) h[d + c] = j0 + c < cols ? src[p * rowStep + (j0 + c) * colStep] : 0;
        d += 8;
      }
    }
  }
}

/** out[rows, cols] = the top-left corner of C [m, n] at heap[at..]. */
function unpack(at: number, n: number, out: Float32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) out.set(heap.subarray(at + i * n, at + i * n + cols), i * cols);
}

function run(k: Kernel, a: number, b: number, c: number, m: number, depth: number, n: number): void {
  k.product(a * 4, b * 4, c * 4, m, depth, n);
}

/** y[rows, cols] = x[rows, inner] · w[inner, cols] */
export function wasmGemm(x: Float32Array, w: Float32Array, y: Float32Array, rows: number, inner: number, cols: number): boolean {
  const k = load();
  if (!k) return false;
  const m = roundUp(rows, 4), n = roundUp(cols, 8);
  const [a, b, c] = reserve(k, m * inner, inner * n, m * n);
  packRows(x, a, rows, m, inner, inner, 1);
  packPanels(w, b, inner, cols, n, cols, 1);
  run(k, a, b, c, m, inner, n);
  unpack(c, n, y, rows, cols);
  return true;
}

/** dx[rows, inner] = dy[rows, cols] · w[inner, cols]ᵀ */
export function wasmGemmNT(dy: Float32Array, w: Float32Array, dx: Float32Array, rows: number, inner: number, cols: number): boolean {
  const k = load();
  if (!k) return false;
  const m = roundUp(rows, 4), n = roundUp(inner, 8);
  const [a, b, c] = reserve(k, m * cols, cols * n, m * n);
  packRows(dy, a, rows, m, cols, cols, 1);
  packPanels(w, b, cols, inner, n, 1, cols); // B(j, q) = w[q, j]
  run(k, a, b, c, m, cols, n);
  unpack(c, n, dx, rows, inner);
  return true;
}

/** dw[inner, cols] = x[rows, inner]ᵀ · dy[rows, cols] */
export function wasmGemmTN(x: Float32Array, dy: Float32Array, dw: Float32Array, rows: number, inner: number, cols: number): boolean {
  const k = load();
  if (!k) return false;
  const m = roundUp(inner, 4), n = roundUp(cols, 8);
  const [a, b, c] = reserve(k, m * rows, rows * n, m * n);
  packRows(x, a, inner, m, rows, 1, inner); // A(p, i) = x[i, p]
  packPanels(dy, b, rows, cols, n, cols, 1);
  run(k, a, b, c, m, rows, n);
  unpack(c, n, dw, inner, cols);
  return true;
}
