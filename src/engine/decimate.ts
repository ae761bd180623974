// A bounded, evenly spaced record of a sequence of any length: every item until the buffer
// is full, then every 2nd, 4th, 8th … (power-of-two decimation). A run of two million steps
// keeps as many frames as one of four thousand, spread over the whole run, so memory is
// bounded by the capacity, never by the run's length. Used for a run's frame and histogram
// history (train.ts) and for an episode's evidence samples (analysis/episodes.ts).

export class Decimator<T> {
  /** Items at positions 0, s, 2s, … of the sequence (s the current stride): between capacity/2 and capacity of them once full. */
  items: T[] = [];
  private stride = 1;
  private seen = 0;
  /** The latest item added, kept or not, and whether it was kept. */
  private last: T | undefined;
  private lastKept = false;

  /**
   * `capacity` is even and ≥ 2. `keep` makes the copy that is kept: a long run's frames are
   * garbage a step later unless kept, and keeping the very objects the step path allocates
   * makes V8 allocate all of them in the old generation (allocation-site pretenuring, after
   * the first few thousand all survived), where they pile up until a full collection.
   */
  constructor(readonly capacity: number, private readonly keep: (item: T) => T = (item) => item) {}

  /** Items added so far. */
  get count(): number {
    return this.seen;
  }

  add(item: T): void {
    this.last = item;
    this.lastKept = this.seen++ % this.stride === 0;
    if (!this.lastKept) return;
    this.items.push(this.keep(item));
    if (this.items.length < this.capacity) return;
    // Items sit at positions 0, s, 2s, …; keeping the even ones leaves 0, 2s, 4s, …, which is
    // what stride 2s would have kept, and `seen` goes on counting positions. The item just
    // added sat at the odd position capacity − 1.
    this.items = this.items.filter((_, k) => k % 2 === 0);
    this.stride *= 2;
    this.lastKept = false;
  }

  /** The kept items followed by the latest one when it was not kept (a history that ends where the sequence does). */
  withLast(): T[] {
    if (this.last === undefined || this.lastKept) return this.items.slice();
    return [...this.items, this.keep(this.last)];
  }
}
