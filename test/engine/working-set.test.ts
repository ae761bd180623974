// The checker's estimate of one training step's values (src/lang/working-set.ts, behind
// `too-many-activations`) against what the engine really allocates for each layer kind:
// within a small factor, never far below (the limit must hold what it promises). The
// allocation is counted from the ops' own buffers (each ArrayBuffer once), not from the
// process's memory, which other tests' garbage makes move.

import { strict as assert } from 'node:assert';
import { loadDataset } from '../../src/engine/data';
import { Session } from '../../src/engine/session';
import { check } from '../../src/lang';
import { valuesPerExample } from '../../src/lang/working-set';

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
function bufferBytes(roots: readonly object[]): number {
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
  let bytes = 0;
  for (const b of buffers) bytes += b.byteLength;
  return bytes;
}

describe('too-many-activations: the estimate of a step\'s values against the engine\'s allocation', () => {
  for (const [name, text] of NETS) {
    it(name, () => {
      const checked = check(text, { readFile: () => '' });
      assert.ok(checked.spec, JSON.stringify(checked.diagnostics));
      const data = loadDataset(checked.spec.data, () => '');
      const session = new Session(checked.spec, data, { telemetry: true });
      const allocated = bufferBytes(session.net.ops);
      const batch = Math.min(checked.spec.train.batch, checked.spec.dataShape.trainSize);
      const estimated = checked.spec.leaves.reduce((n, leaf) => n + valuesPerExample(leaf), 0) * batch * 4; // float32
      assert.ok(session.net.params.length > 0);
      assert.ok(estimated >= 0.7 * allocated && estimated <= 3 * allocated, `estimated ${estimated} bytes, allocated ${allocated}`);
    });
  }
});
