// A bounded summary of an append-only series (one value per training step). It keeps at
// most `capacity` buckets; when they are full, neighbours merge pairwise and every bucket
// then covers twice as many steps. Appending is O(1) amortised and drawing reads at most
// `capacity` buckets, whatever the run length — this is what keeps 100,000 steps × 100
// layers smooth. Each bucket keeps min and max (drawn as an envelope, so a spike is never
// lost) and the mean of log10 over its positive values (the heatmap's colour).

export interface EnvelopeSnapshot {
  perBucket: number;
  firstX: number[];
  lastX: number[];
  samples: number[];
  min: number[];
  max: number[];
  last: number[];
  logMean: number[];
}

export class Envelope {
  /** Steps per full bucket; doubles at each merge. */
  perBucket = 1;
  /** Buckets in use. */
  count = 0;
  readonly firstX: Float64Array;
  readonly lastX: Float64Array;
  /** Samples in each bucket (a partial bucket at the end has fewer than perBucket). */
  readonly samples: Int32Array;
  /** Min and max over the bucket's finite values; NaN when it has none. */
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly last: Float64Array;
  /** Sum of log10(v) and count over the bucket's positive finite values. */
  private readonly logSum: Float64Array;
  private readonly logCount: Int32Array;

  constructor(readonly capacity = 2048) {
    if (capacity < 2 || capacity % 2 !== 0) throw new Error(`Envelope capacity must be even and ≥ 2, got ${capacity}`);
    this.firstX = new Float64Array(capacity);
    this.lastX = new Float64Array(capacity);
    this.samples = new Int32Array(capacity);
    this.min = new Float64Array(capacity);
    this.max = new Float64Array(capacity);
    this.last = new Float64Array(capacity);
    this.logSum = new Float64Array(capacity);
    this.logCount = new Int32Array(capacity);
  }

  push(x: number, value: number): void {
    let b = this.count - 1;
    if (b < 0 || this.samples[b] >= this.perBucket) {
      if (this.count === this.capacity) this.mergePairs();
      b = this.count++;
      this.firstX[b] = x;
      this.samples[b] = 0;
      this.min[b] = NaN;
      this.max[b] = NaN;
      this.logSum[b] = 0;
      this.logCount[b] = 0;
    }
    this.lastX[b] = x;
    this.samples[b]++;
    this.last[b] = value;
    if (Number.isFinite(value)) {
      // NaN compares false, so an empty bucket's NaN min/max is replaced by the first value.
      if (!(value >= this.min[b])) this.min[b] = value;
      if (!(value <= this.max[b])) this.max[b] = value;
      if (value > 0) {
        this.logSum[b] += Math.log10(value);
        this.logCount[b]++;
      }
    }
  }

  /** Mean of log10 over bucket b's positive values (NaN when it has none). */
  logMean(b: number): number {
    return this.logCount[b] > 0 ? this.logSum[b] / this.logCount[b] : NaN;
  }

  /** Mean of log10 over the positive values of buckets b0 … b1 - 1 together (NaN when none). */
  logMeanOf(b0: number, b1: number): number {
    let sum = 0;
    let count = 0;
    for (let b = b0; b < b1 && b < this.count; b++) {
      sum += this.logSum[b];
      count += this.logCount[b];
    }
    return count > 0 ? sum / count : NaN;
  }

  /** The most recent value pushed (NaN before any). */
  latest(): number {
    return this.count > 0 ? this.last[this.count - 1] : NaN;
  }

  private mergePairs(): void {
    // Called only when all `capacity` (even) buckets are full, so every bucket has a partner.
    const merged = this.count / 2;
    for (let i = 0; i < merged; i++) {
      const a = 2 * i;
      const b = a + 1;
      this.firstX[i] = this.firstX[a];
      this.lastX[i] = this.lastX[b];
      this.samples[i] = this.samples[a] + this.samples[b];
      this.min[i] = minIgnoringNaN(this.min[a], this.min[b]);
      this.max[i] = maxIgnoringNaN(this.max[a], this.max[b]);
      this.last[i] = this.last[b];
      this.logSum[i] = this.logSum[a] + this.logSum[b];
      this.logCount[i] = this.logCount[a] + this.logCount[b];
    }
    this.count = merged;
    this.perBucket *= 2;
  }

  /**
   * A smaller copy (at most `buckets` buckets, merged in groups of a power of two as
   * pushing would have merged them) as plain arrays, for the webview's saved state;
   * numbers keep 4 significant digits, which no chart can tell apart.
   */
  snapshot(buckets: number): EnvelopeSnapshot {
    let group = 1;
    while (Math.ceil(this.count / group) > buckets) group *= 2;
    const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : v);
    const out: EnvelopeSnapshot = { perBucket: this.perBucket * group, firstX: [], lastX: [], samples: [], min: [], max: [], last: [], logMean: [] };
    for (let a = 0; a < this.count; a += group) {
      const b = Math.min(this.count, a + group) - 1;
      let samples = 0;
      let min = NaN;
      let max = NaN;
      let logSum = 0;
      let logCount = 0;
      for (let k = a; k <= b; k++) {
        samples += this.samples[k];
        min = minIgnoringNaN(min, this.min[k]);
        max = maxIgnoringNaN(max, this.max[k]);
        logSum += this.logSum[k];
        logCount += this.logCount[k];
      }
      out.firstX.push(this.firstX[a]);
      out.lastX.push(this.lastX[b]);
      out.samples.push(samples);
      out.min.push(round(min));
      out.max.push(round(max));
      out.last.push(round(this.last[b]));
      out.logMean.push(logCount > 0 ? round(logSum / logCount) : NaN);
    }
    return out;
  }

  static restore(s: EnvelopeSnapshot, capacity = 2048): Envelope {
    const e = new Envelope(capacity);
    const n = Math.min(s.samples.length, capacity);
    e.perBucket = s.perBucket;
    e.count = n;
    for (let i = 0; i < n; i++) {
      e.firstX[i] = s.firstX[i];
      e.lastX[i] = s.lastX[i];
      e.samples[i] = s.samples[i];
      e.min[i] = s.min[i] ?? NaN;
      e.max[i] = s.max[i] ?? NaN;
      e.last[i] = s.last[i] ?? NaN;
      const logMean = s.logMean[i] ?? NaN;
      // A restored bucket's log mean stands for all its samples: weight it by one, which
      // keeps the mean exact until it merges with a bucket appended after the reload.
      e.logSum[i] = Number.isNaN(logMean) ? 0 : logMean;
      e.logCount[i] = Number.isNaN(logMean) ? 0 : 1;
    }
    return e;
  }
}

function minIgnoringNaN(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return a < b ? a : b;
}

function maxIgnoringNaN(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return a > b ? a : b;
}
