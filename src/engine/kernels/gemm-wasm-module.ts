// The WebAssembly SIMD matrix-product kernel, assembled here from its instruction listing
// (no prebuilt binary, no build step): a few encoders for the WebAssembly binary format and
// one function, `product`, written in the stack machine's instructions below.
//
// product(a, b, c, m, k, n) — byte offsets into the module's memory; m % 4 == 0, n % 8 == 0:
//   a: A packed in 4-row blocks, [m/4][k][4]   (a block's four values for one k adjacent)
//   b: B packed in 8-column panels, [n/8][k][8] (a panel's eight values for one k adjacent)
//   c: C = A·B row-major [m, n], overwritten.
// For each panel (outer) and each 4-row block (inner), eight f32x4 accumulators hold the
// 4×8 tile in registers over the whole k loop; both operands are read sequentially, and
// the panel (8·k floats) stays in cache while every row block passes over it.

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
  mul: [0x6c],
  ltU: [0x49],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number) => [0x0d, ...unsigned(depth)],
  load: (offset: number) => [0xfd, ...unsigned(0x00), 4, ...unsigned(offset)],
  load32Splat: (offset: number) => [0xfd, ...unsigned(0x09), 2, ...unsigned(offset)],
  store: (offset: number) => [0xfd, ...unsigned(0x0b), 4, ...unsigned(offset)],
  zero: [0xfd, ...unsigned(0x0c), ...new Array<number>(16).fill(0)],
  f32x4Add: [0xfd, ...unsigned(0xe4)],
  f32x4Mul: [0xfd, ...unsigned(0xe6)],
};

// Parameters and locals of `product`.
const A = 0, B = 1, C = 2, M = 3, K = 4, N = 5;
const PANEL = 6, PANEL_END = 7, C_COL = 8, AP = 9, A_END = 10, C_ROW = 11, BP = 12, K_END = 13, ROW_BYTES = 14;
const ACC = 15; // 8 v128 accumulators: ACC + 2·row + half
const BV0 = 23, BV1 = 24, AV = 25;

function productBody(): number[] {
  const code: number[][] = [];
  const emit = (...parts: number[][]) => code.push(...parts);
  const acc = (row: number, half: number) => ACC + 2 * row + half;

  // rowBytes = n·4; panelEnd = b + n·k·4; aEnd = a + m·k·4
  emit(op.get(N), op.i32(4), op.mul, op.set(ROW_BYTES));
  emit(op.get(B), op.get(N), op.get(K), op.mul, op.i32(4), op.mul, op.add, op.set(PANEL_END));
  emit(op.get(A), op.get(M), op.get(K), op.mul, op.i32(4), op.mul, op.add, op.set(A_END));
  emit(op.get(B), op.set(PANEL), op.get(C), op.set(C_COL));

  emit(op.loop); // over 8-column panels
  emit(op.get(A), op.set(AP), op.get(C_COL), op.set(C_ROW));
  emit(op.loop); // over 4-row blocks
  for (let r = 0; r < 4; r++) for (let h = 0; h < 2; h++) emit(op.zero, op.set(acc(r, h)));
  emit(op.get(PANEL), op.set(BP));
  emit(op.get(AP), op.get(K), op.i32(16), op.mul, op.add, op.set(K_END));

  emit(op.loop); // over k: the 4×8 tile += A[4 rows, k] ⊗ B[k, 8 columns]
  emit(op.get(BP), op.load(0), op.set(BV0), op.get(BP), op.load(16), op.set(BV1));
  for (let r = 0; r < 4; r++) {
    emit(op.get(AP), op.load32Splat(4 * r), op.set(AV));
    emit(op.get(acc(r, 0)), op.get(AV), op.get(BV0), op.f32x4Mul, op.f32x4Add, op.set(acc(r, 0)));
    emit(op.get(acc(r, 1)), op.get(AV), op.get(BV1), op.f32x4Mul, op.f32x4Add, op.set(acc(r, 1)));
  }
  emit(op.get(BP), op.i32(32), op.add, op.set(BP));
  emit(op.get(AP), op.i32(16), op.add, op.tee(AP), op.get(K_END), op.ltU, op.brIf(0));
  emit(op.end);

  // Store the tile: four rows of C, eight values each.
  for (let r = 0; r < 4; r++) {
    emit(op.get(C_ROW), op.get(acc(r, 0)), op.store(0));
    emit(op.get(C_ROW), op.get(acc(r, 1)), op.store(16));
    emit(op.get(C_ROW), op.get(ROW_BYTES), op.add, op.set(C_ROW));
  }
  emit(op.get(AP), op.get(A_END), op.ltU, op.brIf(0));
  emit(op.end);

  emit(op.get(C_COL), op.i32(32), op.add, op.set(C_COL));
  emit(op.get(PANEL), op.get(K), op.i32(32), op.mul, op.add, op.tee(PANEL), op.get(PANEL_END), op.ltU, op.brIf(0));
  emit(op.end);
  emit(op.end); // function body

  const locals = vector([
    [...unsigned(ACC - PANEL), I32],
    [...unsigned(AV + 1 - ACC), V128],
  ]);
  const body = [...locals, ...code.flat()];
  return [...unsigned(body.length), ...body];
}

/** The module's bytes: one memory (exported as `memory`) and the function `product`. */
export function gemmModuleBytes(): Uint8Array<ArrayBuffer> {
  const productType = [0x60, ...vector([[I32], [I32], [I32], [I32], [I32], [I32]]), ...vector([])];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([productType])),
    ...section(3, vector([unsigned(0)])),
    ...section(5, vector([[0x00, ...unsigned(1)]])),
    ...section(7, vector([
      [...name('memory'), 0x02, ...unsigned(0)],
      [...name('product'), 0x00, ...unsigned(0)],
    ])),
    ...section(10, vector([productBody()])),
  ];
  return new Uint8Array(bytes);
}
