import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Decimator } from '../../src/engine/decimate';

describe('Decimator (a bounded, evenly spaced history)', () => {
  it('keeps every item up to its capacity, then every 2nd, 4th, … item from the first, never more than its capacity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.constantFrom(2, 8, 64), (n, capacity) => {
        const d = new Decimator<number>(capacity);
        for (let i = 0; i < n; i++) d.add(i);
        assert.equal(d.count, n);
        assert.ok(d.items.length <= capacity && d.items.length >= Math.min(n, capacity / 2), `${d.items.length} of ${n}`);
        if (n < capacity) assert.deepEqual(d.items, Array.from({ length: n }, (_, i) => i));
        const stride = d.items.length > 1 ? d.items[1] - d.items[0] : 1;
        assert.ok(Number.isInteger(Math.log2(stride)), `stride ${stride} is a power of two`);
        assert.deepEqual(d.items, d.items.map((_, k) => k * stride), 'positions 0, s, 2s, …');
        const history = d.withLast();
        assert.equal(history[history.length - 1], n - 1, 'the history ends at the latest item');
        assert.equal(new Set(history).size, history.length, 'without repeating it');
      }),
    );
  });

  it('keeps copies made by `keep`, including the latest item it appends', () => {
    const d = new Decimator<{ i: number }>(4, (item) => ({ ...item }));
    const added = Array.from({ length: 7 }, (_, i) => ({ i }));
    for (const item of added) d.add(item);
    const history = d.withLast();
    assert.deepEqual(history.map((h) => h.i), [0, 4, 6], 'full at 0, 2, 4, 6: halved to 0, 4, then the latest');
    assert.ok(history.every((h) => !added.includes(h)), 'no kept item is the object added');
  });
});
