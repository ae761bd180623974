// The WebAssembly SIMD matrix-product kernel, assembled here from its instruction listing
// (no prebuilt binary, no build step): a few encoders for the WebAssembly binary format and
// two functions, `product` and `transpose`, written in the stack machine's instructions below.
//
// product(a, aRow, aDepth, b, bDepth, c, cRow, m, k, n, add) — addresses and strides in bytes:
//   A(i, p) at a + i·aRow + p·aDepth   (so a row-major A or, with the strides swapped, Aᵀ)
//   B(p, j) at b + p·bDepth + j·4      (row-major; eight adjacent columns load as two f32x4)
//   C(i, j) at c + i·cRow + j·4, overwritten with Σₚ A(i, p)·B(p, j) (add = 0) or
//   incremented by it (add = 1; only where n is the true width, as the spill below would
//   otherwise be added into)
// for i < m (a multiple of 4) and j < n (a multiple of 8). The caller leaves room: reads
// past the last real row or column fetch neighbouring or padding values, and writes past
// the last real column land in the next row's first columns — which is why panels run
// from the last to the first, so every row's true values are written after any spill
// into it, and C can be the caller's exact row-major layout.
// Per 4×8 tile, eight f32x4 accumulators stay in registers across the whole k loop.

const V128 = 0x7b;
const I32 = 0x7f;

function unsigned(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function signed(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

const vector = (items: number[][]): number[] => [...unsigned(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...unsigned(body.length), ...body];
const name = (text: string): number[] => vector([...text].map((ch) => [ch.charCodeAt(0)]));

// Instructions used by the kernel.
const op = {
  get: (i: number) => [0x20, ...unsigned(i)],
  set: (i: number) => [0x21, ...unsigned(i)],
  tee: (i: number) => [0x22, ...unsigned(i)],
  i32: (v: number) => [0x41, ...signed(v)],
  add: [0x6a],
  sub: [0x6b],
  geS: [0x4e],
  mul: [0x6c],
  ltU: [0x49],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  brIf: (depth: number) => [0x0d, ...unsigned(depth)],
  load: (offset: number) => [0xfd, ...unsigned(0x00), 4, ...unsigned(offset)],
  load32Splat: (offset: number) => [0xfd, ...unsigned(0x09), 2, ...unsigned(offset)],
  store: (offset: number) => [0xfd, ...unsigned(0x0b), 4, ...unsigned(offset)],
  zero: [0xfd, ...unsigned(0x0c), ...new Array<number>(16).fill(0)],
  f32Load: (offset: number) => [0x2a, 2, ...unsigned(offset)],
  f32Store: (offset: number) => [0x38, 2, ...unsigned(offset)],
  f32x4Add: [0xfd, ...unsigned(0xe4)],
  f32x4Mul: [0xfd, ...unsigned(0xe6)],
};

// Parameters and locals of `product`.
const A = 0, A_ROW = 1, A_DEPTH = 2, B = 3, B_DEPTH = 4, C = 5, C_ROW = 6, M = 7, K = 8, N = 9, ADD = 10;
const PANEL = 11, A_BLOCK = 12, A_END = 13, C_AT = 14, BP = 15, P0 = 16, P1 = 17, P2 = 18, P3 = 19, LEFT = 20, TILE = 21;
const ACC = 22; // 8 v128 accumulators: ACC + 2·row + half
const BV0 = 30, BV1 = 31, AV = 32;
const PARAMS = 11;

function productBody(): number[] {
  const code: number[][] = [];
  const emit = (...parts: number[][]) => code.push(...parts);
  const acc = (row: number, half: number) => ACC + 2 * row + half;
  const rows = [P0, P1, P2, P3];

  // aEnd = a + m·aRow; panel = (n − 8)·4, the last panel's byte offset
  emit(op.get(A), op.get(M), op.get(A_ROW), op.mul, op.add, op.set(A_END));
  emit(op.get(N), op.i32(8), op.sub, op.i32(4), op.mul, op.set(PANEL));

  emit(op.loop); // over 8-column panels, last to first
  emit(op.get(A), op.set(A_BLOCK));
  emit(op.get(C), op.get(PANEL), op.add, op.set(C_AT));
  emit(op.loop); // over 4-row blocks
  // The tile starts from zero, or from C when `add` is set (a later slice of a long k).
  emit(op.get(ADD), op.if);
  emit(op.get(C_AT), op.set(TILE));
  for (let r = 0; r < 4; r++) {
    emit(op.get(TILE), op.load(0), op.set(acc(r, 0)), op.get(TILE), op.load(16), op.set(acc(r, 1)));
    emit(op.get(TILE), op.get(C_ROW), op.add, op.set(TILE));
  }
  emit(op.else);
  for (let r = 0; r < 4; r++) for (let h = 0; h < 2; h++) emit(op.zero, op.set(acc(r, h)));
  emit(op.end);
  emit(op.get(B), op.get(PANEL), op.add, op.set(BP));
  emit(op.get(A_BLOCK), op.tee(P0), op.get(A_ROW), op.add, op.tee(P1), op.get(A_ROW), op.add, op.tee(P2), op.get(A_ROW), op.add, op.set(P3));
  emit(op.get(K), op.set(LEFT));

  emit(op.loop); // over k: the 4×8 tile += A[4 rows, p] ⊗ B[p, 8 columns]
  emit(op.get(BP), op.load(0), op.set(BV0), op.get(BP), op.load(16), op.set(BV1));
  for (let r = 0; r < 4; r++) {
    emit(op.get(rows[r]), op.load32Splat(0), op.set(AV));
    emit(op.get(acc(r, 0)), op.get(AV), op.get(BV0), op.f32x4Mul, op.f32x4Add, op.set(acc(r, 0)));
    emit(op.get(acc(r, 1)), op.get(AV), op.get(BV1), op.f32x4Mul, op.f32x4Add, op.set(acc(r, 1)));
    emit(op.get(rows[r]), op.get(A_DEPTH), op.add, op.set(rows[r]));
  }
  emit(op.get(BP), op.get(B_DEPTH), op.add, op.set(BP));
  emit(op.get(LEFT), op.i32(1), op.sub, op.tee(LEFT), op.brIf(0));
  emit(op.end);

  // Store the tile: four rows of C, eight values each, in row order.
  for (let r = 0; r < 4; r++) {
    emit(op.get(C_AT), op.get(acc(r, 0)), op.store(0));
    emit(op.get(C_AT), op.get(acc(r, 1)), op.store(16));
    emit(op.get(C_AT), op.get(C_ROW), op.add, op.set(C_AT));
  }
  emit(op.get(A_BLOCK), op.get(A_ROW), op.i32(4), op.mul, op.add, op.tee(A_BLOCK), op.get(A_END), op.ltU, op.brIf(0));
  emit(op.end);

  emit(op.get(PANEL), op.i32(32), op.sub, op.tee(PANEL), op.i32(0), op.geS, op.brIf(0));
  emit(op.end);
  emit(op.end); // function body

  const locals = vector([
    [...unsigned(ACC - PARAMS), I32],
    [...unsigned(AV + 1 - ACC), V128],
  ]);
  const body = [...locals, ...code.flat()];
  return [...unsigned(body.length), ...body];
}

// transpose(src, dst, rows, cols): dst [cols, rows] = src [rows, cols]ᵀ, byte addresses.
// The input-gradient product needs Wᵀ with adjacent output columns; doing it here, a
// scalar load and store per value without bounds checks, is several times cheaper than
// the same loop in JavaScript.
const T_SRC = 0, T_DST = 1, T_ROWS = 2, T_COLS = 3, T_Q = 4, T_J = 5, T_FROM = 6, T_TO = 7;

function transposeBody(): number[] {
  const code: number[][] = [];
  const emit = (...parts: number[][]) => code.push(...parts);
  emit(op.get(T_SRC), op.set(T_FROM), op.i32(0), op.set(T_Q));
  emit(op.loop); // over the rows of src
  emit(op.get(T_DST), op.get(T_Q), op.i32(4), op.mul, op.add, op.set(T_TO), op.get(T_COLS), op.set(T_J));
  emit(op.loop); // along the row: sequential reads, writes a column of dst
  emit(op.get(T_TO), op.get(T_FROM), op.f32Load(0), op.f32Store(0));
  emit(op.get(T_FROM), op.i32(4), op.add, op.set(T_FROM));
  emit(op.get(T_TO), op.get(T_ROWS), op.i32(4), op.mul, op.add, op.set(T_TO));
  emit(op.get(T_J), op.i32(1), op.sub, op.tee(T_J), op.brIf(0));
  emit(op.end);
  emit(op.get(T_Q), op.i32(1), op.add, op.tee(T_Q), op.get(T_ROWS), op.ltU, op.brIf(0));
  emit(op.end);
  emit(op.end);
  const body = [...vector([[...unsigned(T_TO + 1 - T_Q), I32]]), ...code.flat()];
  return [...unsigned(body.length), ...body];
}

/** The module's bytes: one memory (exported as `memory`) and the function `product`. */
export function gemmModuleBytes(): Uint8Array<ArrayBuffer> {
  const productType = [0x60, ...vector(new Array<number[]>(PARAMS).fill([I32])), ...vector([])];
  const transposeType = [0x60, ...vector([[I32], [I32], [I32], [I32]]), ...vector([])];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([productType, transposeType])),
    ...section(3, vector([unsigned(0), unsigned(1)])),
    ...section(5, vector([[0x00, ...unsigned(1)]])),
    ...section(7, vector([
      [...name('memory'), 0x02, ...unsigned(0)],
      [...name('product'), 0x00, ...unsigned(0)],
      [...name('transpose'), 0x00, ...unsigned(1)],
    ])),
    ...section(10, vector([productBody(), transposeBody()])),
  ];
  return new Uint8Array(bytes);
}
