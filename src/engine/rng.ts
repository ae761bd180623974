// Seeded, deterministic random numbers for initialisation, dropout masks and shuffling.
// mulberry32 (Tommy Ettinger): one 32-bit state word, integer-only arithmetic, so a
// given seed gives the same stream on every machine. Normals by Box-Muller.

export class Rng {
  private state: number;

  /** `stream` separates independent uses of one seed (init, shuffle, dropout). */
  constructor(seed: number, stream = 0) {
    this.state = mix32((seed >>> 0) ^ Math.imul(stream + 1, 0x9e3779b9));
  }

  /** Uniform on [0, 1), 32 bits of resolution. */
  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Fill the first n values with uniforms (one call per buffer: no float crosses a call per value). */
  uniforms(out: Float32Array | Float64Array, n: number): void {
    let state = this.state;
    for (let i = 0; i < n; i++) {
      let t = (state = (state + 0x6d2b79f5) | 0);
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }
    this.state = state;
  }

  /** Standard normal (Box-Muller, cosine branch; 1 − u keeps the log argument in (0, 1]). */
  normal(): number {
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  save(): number {
    return this.state;
  }

  restore(state: number): void {
    this.state = state;
  }
}

/** Fisher-Yates shuffle of `order` in place. */
export function shuffle(order: Int32Array, rng: Rng): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

/** A 32-bit finaliser (murmur3's) so nearby seeds start far apart. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}
