// The checker's estimate of one training step's values (src/lang/working-set.ts, behind
// `too-many-activations`) against what the engine really allocates for each layer kind:
// within a small factor, never far below (the limit must hold what it promises). The
// allocation is counted from the ops' own buffers (each ArrayBuffer once), not from the
// process's memory, which other tests' garbage makes move. Every registered kind is checked
// on its finite-difference fixtures, as a whole network and as its own op.

import { strict as assert } from 'node:assert';
import { loadDataset } from '../../src/engine/data';
import { Session } from '../../src/engine/session';
import { check } from '../../src/lang';
import { valuesPerExample } from '../../src/lang/working-set';
import { LAYER_KIND_LIST } from '../../src/kinds';

const NETS: [string, string][] = [
  ['dense, relu', 'data blobs n=1000 classes=2 features=50\ninput 50\ndense 300 relu\ndense 2\n'],
  ['conv2d', 'data blobs n=100 classes=2 features=768\ninput 3 16 16\nconv2d 16 kernel=5 padding=2 relu\nmaxpool2d 2\nflatten\ndense 2\n'],
  ['conv1d', 'data adding T=100 n=300\ninput 100 2\nconv1d 32 kernel=7 padding=3 relu\nflatten\ndense 1\n'],
  ['lstm', 'data adding T=100 n=300\ninput 100 2\nlstm 32\ndense 1\n'],
  ['gru sequences', 'data adding T=100 n=300\ninput 100 2\ngru 32 sequences=true\nflatten\ndense 1\n'],
  ['rnn', 'data adding T=100 n=300\ninput 100 2\nrnn 32\ndense 1\n'],
  ['norms, dropout', 'data blobs n=1000 classes=2 features=50\ninput 50\ndense 300\nlayernorm\nbatchnorm\ndropout 0.5\ntanh\ndense 2\n'],
];

/** The bytes of every distinct ArrayBuffer reachable from `roots` within a few steps (fields, arrays, subarrays). */
function bufferBytes(roots: readonly object[], except = new Set<ArrayBufferLike>()): number {
  let bytes = 0;
  for (const b of buffersOf(roots)) if (!except.has(b)) bytes += b.byteLength;
  return bytes;
}

function buffersOf(roots: readonly object[]): Set<ArrayBufferLike> {
  const buffers = new Set<ArrayBufferLike>();
  const seen = new Set<object>();
  const visit = (value: unknown, depth: number): void => {
    if (value === null || typeof value !== 'object' || seen.has(value) || depth > 4) return;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      buffers.add(value.buffer);
      return;
    }
    for (const v of Array.isArray(value) ? value : Object.values(value)) visit(v, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  return buffers;
}

/**
 * The checker's estimate (plus the input batch, which the layers' sum leaves out: it is
 * negligible at the sizes the limit is about, not in a gradient-check fixture) within a
 * small factor of what the engine allocates, never far below.
 */
function expectEstimateHolds(text: string, kind?: string): void {
  const checked = check(text, { readFile: () => '' });
  assert.ok(checked.spec, JSON.stringify(checked.diagnostics));
  const data = loadDataset(checked.spec.data, () => '');
  const session = new Session(checked.spec, data, { telemetry: true });
  const allocated = bufferBytes(session.net.ops);
  const batch = Math.min(checked.spec.train.batch, checked.spec.dataShape.trainSize);
  const perExample = checked.spec.leaves.reduce((n, leaf) => n + valuesPerExample(leaf), 0) + checked.spec.inputWidth;
  const estimated = perExample * batch * 4; // float32
  assert.ok(session.net.params.length > 0);
  assert.ok(estimated >= 0.7 * allocated && estimated <= 3 * allocated, `estimated ${estimated} bytes, allocated ${allocated}`);
  // The kind's own op: what it allocates beyond the input batch, the parameters and the ops
  // before it (its input is theirs) is never far above its estimate.
  for (const leaf of checked.spec.leaves.filter((l) => l.kind === kind)) {
    const op = session.net.layerOps[leaf.index]!;
    const before = buffersOf([session.net.input, ...session.net.params, ...session.net.ops.slice(0, session.net.ops.indexOf(op))]);
    const own = bufferBytes([op], before);
    assert.ok(valuesPerExample(leaf) * batch * 4 >= 0.5 * own, `${leaf.name}: estimated ${valuesPerExample(leaf) * batch * 4} bytes, its op allocates ${own}`);
  }
}

describe('too-many-activations: the estimate of a step\'s values against the engine\'s allocation', () => {
  for (const [name, text] of NETS) it(name, () => expectEstimateHolds(text));

  // Every registered layer kind, on the networks its finite-difference check names (a new
  // kind's estimate is checked without being listed here), with the same mse head: the
  // network's total and the kind's own op.
  for (const def of LAYER_KIND_LIST) {
    for (const fixture of def.gradcheck) {
      it(`${def.name}: ${fixture.input}; ${fixture.lines.join('; ')}`, () => {
        const input = fixture.input.split(/\s+/).slice(1).reduce((n, d) => n * Number(d), 1);
        expectEstimateHolds([`data linear features=${input} n=200`, fixture.input, ...fixture.lines, 'dense 1', 'loss mse', 'train batch=64'].join('\n'), def.name);
      });
    }
  }
});
