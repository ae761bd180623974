// `node --import tsx bench/gemm-micro.ts [--kernel js|wasm|dispatch|all]`: GFLOP/s of the three
// dense-layer products (forward x·W, weight gradient xᵀ·dy, input gradient dy·Wᵀ) at the
// shapes of the workloads, for each gemm implementation, with a correctness check of
// each against a plain triple loop in float64. Used to tune src/engine/kernels/gemm*.ts.

import * as js from '../src/engine/kernels/gemm';
import * as wasm from '../src/engine/kernels/gemm-wasm';
import { median } from './stats';

type Floats = Float32Array | Float64Array;
type Kernel = (a: Floats, b: Floats, c: Floats, rows: number, inner: number, cols: number) => void;
interface Gemms {
  gemm: Kernel;
  gemmNT: Kernel;
  gemmTN: Kernel;
}

const SHAPES: { name: string; rows: number; inner: number; cols: number }[] = [
  { name: 'W3 layer 1 (64×784·784×128)', rows: 64, inner: 784, cols: 128 },
  { name: 'W3 layer 2 (64×128·128×64)', rows: 64, inner: 128, cols: 64 },
  { name: 'W2 layer 2 (128×64·64×64)', rows: 128, inner: 64, cols: 64 },
  { name: 'W5 layer 2 (128×1024·1024×1024)', rows: 128, inner: 1024, cols: 1024 },
  { name: 'W4 layer (32×32·32×32)', rows: 32, inner: 32, cols: 32 },
  { name: 'odd (37×61·61×29)', rows: 37, inner: 61, cols: 29 },
  { name: 'W2 layer 1 (128×2·2×64)', rows: 128, inner: 2, cols: 64 },
  { name: 'W2 layer 3 (128×64·64×3)', rows: 128, inner: 64, cols: 3 },
  { name: 'W4 last (32×32·32×1)', rows: 32, inner: 32, cols: 1 },
  { name: 'W1 layer 1 (4×2·2×8)', rows: 4, inner: 2, cols: 8 },
  { name: '16×16·16×16', rows: 16, inner: 16, cols: 16 },
  { name: '8×16·16×8', rows: 8, inner: 16, cols: 8 },
];

function filled(n: number, seed: number, Kind: Float32ArrayConstructor | Float64ArrayConstructor): Floats {
  const a = new Kind(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    a[i] = (s / 4294967296) * 2 - 1;
  }
  return a;
}

/** Reference products in float64, by definition. */
function reference(kind: keyof Gemms, a: Floats, b: Floats, rows: number, inner: number, cols: number): Float64Array {
  if (kind === 'gemm') {
    const c = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) { let s = 0; for (let p = 0; p < inner; p++) s += a[i * inner + p] * b[p * cols + j]; c[i * cols + j] = s; }
    return c;
  }
  if (kind === 'gemmNT') {
    const c = new Float64Array(rows * inner);
    for (let i = 0; i < rows; i++) for (let q = 0; q < inner; q++) { let s = 0; for (let j = 0; j < cols; j++) s += a[i * cols + j] * b[q * cols + j]; c[i * inner + q] = s; }
    return c;
  }
  const c = new Float64Array(inner * cols);
  for (let p = 0; p < inner; p++) for (let j = 0; j < cols; j++) { let s = 0; for (let i = 0; i < rows; i++) s += a[i * inner + p] * b[i * cols + j]; c[p * cols + j] = s; }
  return c;
}

function maxRelativeError(got: Floats, want: Float64Array): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (scale || 1));
  return worst;
}

function operands(kind: keyof Gemms, rows: number, inner: number, cols: number, Kind: Float32ArrayConstructor | Float64ArrayConstructor) {
  if (kind === 'gemm') return { a: filled(rows * inner, 1, Kind), b: filled(inner * cols, 2, Kind), c: new Kind(rows * cols) };
  if (kind === 'gemmNT') return { a: filled(rows * cols, 3, Kind), b: filled(inner * cols, 4, Kind), c: new Kind(rows * inner) };
  return { a: filled(rows * inner, 5, Kind), b: filled(rows * cols, 6, Kind), c: new Kind(inner * cols) };
}

export function measureKernels(label: string, gemms: Gemms, Kind: Float32ArrayConstructor | Float64ArrayConstructor): void {
  for (const shape of SHAPES) {
    const cells: string[] = [];
    for (const kind of ['gemm', 'gemmTN', 'gemmNT'] as const) {
      const { rows, inner, cols } = shape;
      const { a, b, c } = operands(kind, rows, inner, cols, Kind);
      gemms[kind](a, b, c, rows, inner, cols);
      const warmUntil = performance.now() + 100;
      while (performance.now() < warmUntil) gemms[kind](a, b, c, rows, inner, cols);
      const error = maxRelativeError(c, reference(kind, a, b, rows, inner, cols));
      const flops = 2 * rows * inner * cols;
      const reps = Math.max(1, Math.round(5e7 / flops));
      const rates: number[] = [];
      for (let r = 0; r < 5; r++) {
        const start = process.cpuUsage(); // CPU time: steady when other work shares the machine
        for (let k = 0; k < reps; k++) gemms[kind](a, b, c, rows, inner, cols);
        const used = process.cpuUsage(start);
        rates.push((flops * reps) / ((used.user + used.system) / 1e6) / 1e9);
      }
      const bad = error > (Kind === Float32Array ? 1e-5 : 1e-12) ? ` ERROR ${error.toExponential(1)}` : '';
      cells.push(`${kind} ${median(rates).toFixed(2)}${bad}`);
    }
    process.stdout.write(`${label.padEnd(12)} ${shape.name.padEnd(34)} ${cells.join('  ')}  GFLOP/s\n`);
  }
}

function main(): void {
  const which = process.argv.includes('--kernel') ? process.argv[process.argv.indexOf('--kernel') + 1] : 'all';
  if (which === 'js' || which === 'all') {
    const reference = { gemm: js.gemmJs, gemmNT: js.gemmNTJs, gemmTN: js.gemmTNJs };
    measureKernels('js f32', reference, Float32Array);
    measureKernels('js f64', reference, Float64Array);
  }
  if (which === 'dispatch' || which === 'all') {
    measureKernels('dispatch f32', js, Float32Array);
  }
  if (which === 'wasm' || which === 'all') {
    if (!wasm.wasmGemmAvailable()) process.stdout.write('wasm kernels unavailable in this runtime\n');
    else {
      const only32 = (f: (a: Float32Array, b: Float32Array, c: Float32Array, r: number, i: number, c2: number) => boolean): Kernel =>
        (a, b, c, r, i, c2) => void f(a as Float32Array, b as Float32Array, c as Float32Array, r, i, c2);
      measureKernels('wasm f32', { gemm: only32(wasm.wasmGemm), gemmNT: only32(wasm.wasmGemmNT), gemmTN: only32(wasm.wasmGemmTN) }, Float32Array);
    }
  }
}

main();
