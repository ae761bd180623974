// The `weights "file.json"` statement: the checker reads the file (in the layout of
// `gradlens grads --json`) against the network, errors on the path when it cannot, warns
// about tensors that do not fit, and hands the engine the ones that do.

import { strict as assert } from 'node:assert';
import { resolve } from 'node:path';
import { check } from '../../src/lang';
import { Network } from '../../src/engine';
import { rangeOf } from './helpers';

const FOLDER = '/work/nets';
const NET = (weights: string) => `data xor\ninput 2\nhidden: dense 4 relu\nout: dense 1 sigmoid\nloss bce\n${weights}\n`;
const W = (layers: unknown) => JSON.stringify({ layers });
const GOOD = W([
  { name: 'hidden', params: [{ name: 'W', shape: [2, 4], value: [1, 2, 3, 4, 5, 6, 7, 8] }, { name: 'b', shape: [4], value: [0, 0.5, 0, -1] }] },
  { name: 'out', kind: 'dense', params: [{ name: 'W', shape: [4, 1], value: [1, 1, 1, 1], grad: [0, 0, 0, 0] }, { name: 'b', shape: [1], value: [0.25] }] },
]);

function checkWith(text: string, files: Record<string, string>) {
  return check(text, {
    documentPath: `${FOLDER}/model.net`,
    readFile: (path) => {
      const name = Object.keys(files).find((f) => resolve(FOLDER, f) === path);
      if (name === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return files[name];
    },
  });
}

describe('checker: weights "file.json"', () => {
  it('gives the engine every tensor, which the network starts from instead of its init', () => {
    const { diagnostics, spec } = checkWith(NET('weights "w.json"'), { 'w.json': GOOD });
    assert.deepEqual(diagnostics, []);
    assert.equal(spec!.weights!.resolvedPath, `${FOLDER}/w.json`);
    assert.deepEqual(spec!.weights!.tensors.map((t) => [t.layer, t.param]), [[0, 'W'], [0, 'b'], [1, 'W'], [1, 'b']]);
    const net = new Network(spec!, { dtype: 'float64', batch: 4 });
    assert.deepEqual(net.params.map((p) => Array.from(p.value)), [[1, 2, 3, 4, 5, 6, 7, 8], [0, 0.5, 0, -1], [1, 1, 1, 1], [0.25]]);
  });

  it('a missing file is an error on the path', () => {
    const text = NET('weights "nope.json"');
    const { diagnostics, spec } = checkWith(text, {});
    assert.equal(spec, undefined);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity, d.range]), [['weights-not-found', 'error', rangeOf(text, '"nope.json"')]]);
  });

  it('a file that is not JSON, or not the grads --json layout, is an error saying what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['{"layers": [', /not JSON/],
      ['{"weights": []}', /expected \{"layers": \[\.\.\.\]\}/],
      [W([{ name: 'hidden', params: [{ name: 'W', shape: [2, 4], value: [1, 2] }] }]), /hidden\.W\) needs "value", 8 numbers/],
      [W([{ name: 'hidden', params: [{ name: 'b', shape: [4], value: [1, null, 2, 3] }] }]), /hidden\.b value\[1\] is not a finite number/],
    ];
    for (const [file, message] of cases) {
      const { diagnostics } = checkWith(NET('weights "w.json"'), { 'w.json': file });
      assert.equal(diagnostics.length, 1, file);
      assert.equal(diagnostics[0].code, 'weights-unreadable');
      assert.match(diagnostics[0].message, message);
    }
  });

  it('tensors that do not fit are warnings, and those parameters keep their init', () => {
    const partial = W([
      { name: 'hidden', params: [{ name: 'W', shape: [4, 2], value: [1, 2, 3, 4, 5, 6, 7, 8] }, { name: 'b', shape: [4], value: [0.5, 0.5, 0.5, 0.5] }] },
      { name: 'gone', params: [{ name: 'W', shape: [1], value: [1] }] },
    ]);
    const { diagnostics, spec } = checkWith(NET('weights "w.json"'), { 'w.json': partial });
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]), [['weights-mismatch', 'warning'], ['weights-mismatch', 'warning'], ['weights-mismatch', 'warning']]);
    assert.match(diagnostics[0].message, /hidden\.W is \[4, 2\] in the file but \[2, 4\] in the network; it starts from its init/);
    assert.match(diagnostics[1].message, /the network has no layer `gone`/);
    assert.match(diagnostics[2].message, /no weights for hidden\.W, out\.W, out\.b; they start from their init/);
    assert.deepEqual(spec!.weights!.tensors.map((t) => [t.layer, t.param, t.values]), [[0, 'b', [0.5, 0.5, 0.5, 0.5]]]);
  });

  it('takes one quoted path and no options', () => {
    assert.deepEqual(checkWith(NET('weights model'), {}).diagnostics.map((d) => d.code), ['wrong-type']);
    assert.deepEqual(checkWith(NET('weights'), {}).diagnostics.map((d) => d.code), ['missing-argument']);
    assert.deepEqual(checkWith(NET('weights "w.json" strict=true'), { 'w.json': GOOD }).diagnostics.map((d) => d.code), ['unknown-option']);
    assert.deepEqual(checkWith(NET('weights "w.json"\nweights "w.json"'), { 'w.json': GOOD }).diagnostics.map((d) => d.code), ['duplicate-statement']);
  });

  it('refuses a file outside the workspace folders', () => {
    const text = NET('weights "../../etc/w.json"');
    const { diagnostics } = check(text, { documentPath: `${FOLDER}/model.net`, workspaceFolders: [FOLDER], readFile: () => GOOD });
    assert.deepEqual(diagnostics.map((d) => d.code), ['weights-outside-workspace']);
  });
});
