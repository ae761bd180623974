// Starting weights through the built CLI: `--weights PATH` and the `weights` statement
// make grads, gradcheck and inspect start from a file in the `grads --json` layout.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');

function gradlens(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Report { loss: number; layers: { name: string; params: { name: string; value: number[]; grad: number[] }[] }[] }
const values = (r: Report) => r.layers.map((l) => l.params.map((p) => p.value));

describe('gradlens --weights and the weights statement (built)', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'gradlens-weights-'));
  before(() => {
    if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  });

  it('grads --json fed back with --weights reproduces itself exactly', () => {
    const first = gradlens('grads', 'examples/spiral.net', '--json');
    const path = join(dir, 'spiral.json');
    writeFileSync(path, first.stdout);
    const again = gradlens('grads', 'examples/spiral.net', '--json', '--weights', path);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, first.stdout);
  });

  it('--weights starts from trained weights: the values of grads --after 20, not the init', () => {
    const trained = gradlens('grads', 'examples/xor.net', '--json', '--after', '20').stdout;
    const path = join(dir, 'xor-trained.json');
    writeFileSync(path, trained);
    const init = JSON.parse(gradlens('grads', 'examples/xor.net', '--json').stdout) as Report;
    const loaded = JSON.parse(gradlens('grads', 'examples/xor.net', '--json', '--weights', path).stdout) as Report;
    assert.deepEqual(values(loaded), values(JSON.parse(trained)));
    assert.notDeepEqual(values(loaded), values(init));
    assert.notEqual(loaded.loss, init.loss);
  });

  it('the weights statement is honoured by grads and gradcheck', () => {
    const report = JSON.parse(gradlens('grads', 'test/fixtures/weights/dead.net', '--json').stdout) as Report;
    assert.deepEqual(values(report), [[[0, 0, 0, 0, 0, 0, 0, 0], [-1, -1, -1, -1]], [[0.5, -0.25, 0.125, 1], [Math.fround(0.1)]]], "float32, as training runs");
    assert.ok(report.layers[0].params[0].grad.every((g) => g === 0), 'dead ReLUs pass no gradient');
    const check = JSON.parse(gradlens('gradcheck', 'test/fixtures/weights/dead.net', '--json').stdout);
    assert.equal(check.band, 'good');
  });

  it('tensors that do not fit are warnings on stderr; a missing or broken file exits 2', () => {
    const partial = gradlens('grads', 'test/fixtures/weights/dead.net', '--json', '--weights', 'test/fixtures/weights/partial.weights.json');
    assert.equal(partial.status, 0);
    assert.match(partial.stderr, /^test\/fixtures\/weights\/partial\.weights\.json: weights-mismatch: hidden\.W is \[4, 2\] in the file but \[2, 4\] in the network; it starts from its init\. \(warning\)$/m);
    assert.match(partial.stderr, /weights-mismatch: the network has no layer `gone`/);
    assert.deepEqual((JSON.parse(partial.stdout) as Report).layers[0].params[1].value, [0.5, 0.5, 0.5, 0.5]);

    const missing = gradlens('gradcheck', 'examples/xor.net', '--weights', 'nope.json');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^nope\.json: weights-not-found: no such file$/m);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"layers": 3}');
    const bad = gradlens('inspect', 'examples/xor.net', '--steps', '2', '--weights', broken);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /weights-unreadable: expected \{"layers": \[\.\.\.\]\}/);
  });
});
