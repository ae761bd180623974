// The float32 matrix products on the WebAssembly SIMD kernel (gemm-wasm-module.ts). The
// engine's buffers live in JavaScript, so each call copies its operands into the module's
// memory (plain copies; only the weights of the input-gradient product are transposed, so
// that eight adjacent output columns are adjacent in memory), runs the kernel, and copies
// the product out. Each region keeps a zeroed tail for the kernel's reads past the last
// real row or column (see the module). Copies cost O(m·k + k·n), the product O(m·k·n):
// worth it from about a thousand multiply-adds on. Where WebAssembly SIMD is unavailable
// every function returns false and the caller runs the JavaScript kernel.

import { gemmModuleBytes } from './gemm-wasm-module';

interface Kernel {
  memory: WebAssembly.Memory;
  product: (a: number, aRow: number, aDepth: number, b: number, bDepth: number, c: number, cRow: number, m: number, k: number, n: number, add: number) => void;
  transpose: (src: number, dst: number, rows: number, cols: number) => void;
}

let kernel: Kernel | null | undefined;
let heap = new Float32Array(0);

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(gemmModuleBytes()), {});
    const exports = instance.exports as unknown as Kernel;
    kernel = { memory: exports.memory, product: exports.product, transpose: exports.transpose };
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

// Offsets (in floats) of the three regions of the current call, set by `reserve`.
let aAt = 0, bAt = 0, cAt = 0;

/** Makes room for three regions of the given float counts, one after the other. */
function reserve(k: Kernel, aFloats: number, bFloats: number, cFloats: number): void {
  const needed = (aFloats + bFloats + cFloats) * 4;
  const have = k.memory.buffer.byteLength;
  if (needed > have) k.memory.grow(Math.ceil((needed - have) / 65536));
  if (heap.buffer !== k.memory.buffer) {
    heap = new Float32Array(k.memory.buffer);
    heapViews.clear();
  }
  aAt = 0;
  bAt = aFloats;
  cAt = aFloats + bFloats;
}

// A training step must not allocate (test/engine/allocation.test.ts), and a subarray is
// an allocation: views are made once per (array, length) and reused. The keys stay
// small integers, which Map looks up without boxing.
const heapViews = new Map<number, Map<number, Float32Array>>();
const prefixViews = new WeakMap<Float32Array, Map<number, Float32Array>>();

function heapView(at: number, length: number): Float32Array {
  let byLength = heapViews.get(at);
  if (!byLength) heapViews.set(at, (byLength = new Map()));
  let view = byLength.get(length);
  if (!view) byLength.set(length, (view = heap.subarray(at, at + length)));
  return view;
}

function prefix(src: Float32Array, count: number): Float32Array {
  if (count === src.length) return src;
  let byLength = prefixViews.get(src);
  if (!byLength) prefixViews.set(src, (byLength = new Map()));
  let view = byLength.get(count);
  if (!view) byLength.set(count, (view = src.subarray(0, count)));
  return view;
}

/** heap[at ..] = the first `count` values of src, then zeros up to `size`. */
function copyIn(src: Float32Array, count: number, at: number, size: number): void {
  heap.set(prefix(src, count), at);
  heap.fill(0, at + count, at + size);
}

/** out[0 .. count) = heap[at ..]. */
function copyOut(at: number, count: number, out: Float32Array): void {
  out.set(heapView(at, count));
}

/**
 * Depth per kernel call when the output needs no padding: a slice of B's panel (DEPTH_SLICE
 * rows of 32 bytes) stays in the first-level cache while every row block passes over it,
 * where a whole 1024-deep panel would not. Later slices add into C.
 */
const DEPTH_SLICE = 256;

/** C = A·B over the whole depth, in slices when that is safe (see the module). Addresses in floats. */
function multiply(k: Kernel, a: number, aRow: number, aDepth: number, b: number, bDepth: number, c: number, cRow: number, m: number, depth: number, n: number, exactWidth: boolean): void {
  if (!exactWidth || depth <= DEPTH_SLICE) {
    k.product(a * 4, aRow * 4, aDepth * 4, b * 4, bDepth * 4, c * 4, cRow * 4, m, depth, n, 0);
    return;
  }
  for (let p = 0; p < depth; p += DEPTH_SLICE) {
    const slice = Math.min(DEPTH_SLICE, depth - p);
    k.product((a + p * aDepth) * 4, aRow * 4, aDepth * 4, (b + p * bDepth) * 4, bDepth * 4, c * 4, cRow * 4, m, slice, n, p === 0 ? 0 : 1);
  }
}

/** y[rows, cols] = x[rows, inner] · w[inner, cols] */
export function wasmGemm(x: Float32Array, w: Float32Array, y: Float32Array, rows: number, inner: number, cols: number): boolean {
  const k = load();
  if (!k) return false;
  const m = roundUp(rows, 4), n = roundUp(cols, 8);
  const aSize = m * inner, bSize = inner * cols + 8, cSize = m * cols + 8;
  reserve(k, aSize, bSize, cSize);
  copyIn(x, rows * inner, aAt, aSize);
  copyIn(w, inner * cols, bAt, bSize);
  multiply(k, aAt, inner, 1, bAt, cols, cAt, cols, m, inner, n, n === cols);
  copyOut(cAt, rows * cols, y);
  return true;
}

/** dx[rows, inner] = dy[rows, cols] · w[inner, cols]ᵀ */
export function wasmGemmNT(dy: Float32Array, w: Float32Array, dx: Float32Array, rows: number, inner: number, cols: number): boolean {
  const k = load();
  if (!k) return false;
  const m = roundUp(rows, 4), n = roundUp(inner, 8);
  // C's region doubles as the landing place for w before the transpose: the product
  // overwrites it only after B = wᵀ is built.
  const aSize = m * cols, bSize = cols * inner + 8, cSize = Math.max(m * inner + 8, inner * cols);
  reserve(k, aSize, bSize, cSize);
  copyIn(dy, rows * cols, aAt, aSize);
  copyIn(w, inner * cols, cAt, inner * cols);
  k.transpose(cAt * 4, bAt * 4, inner, cols); // B = wᵀ, [cols, inner]
  heap.fill(0, bAt + cols * inner, bAt + bSize);
  multiply(k, aAt, cols, 1, bAt, inner, cAt, inner, m, cols, n, n === inner);
  copyOut(cAt, rows * inner, dx);
  return true;
}

/** dw[inner, cols] = x[rows, inner]ᵀ · dy[rows, cols] */
export function wasmGemmTN(x: Float32Array, dy: Float32Array, dw: Float32Array, rows: number, inner: number, cols: number): boolean {
  const k = load();
  if (!k) return false;
  const m = roundUp(inner, 4), n = roundUp(cols, 8);
  const aSize = rows * inner + 4, bSize = rows * cols + 8, cSize = m * cols + 8;
  reserve(k, aSize, bSize, cSize);
  copyIn(x, rows * inner, aAt, aSize); // read as Aᵀ: A(p, i) = x[i, p]
  copyIn(dy, rows * cols, bAt, bSize);
  multiply(k, aAt, 1, inner, bAt, cols, cAt, cols, m, rows, n, n === cols);
  copyOut(cAt, inner * cols, dw);
  return true;
}
