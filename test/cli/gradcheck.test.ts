// `gradlens gradcheck` through the built CLI (dist/cli.js): the verdict on every example,
// the table a person reads, the JSON a machine reads, and the test-only corruption of a
// backward rule showing up as "wrong" on exactly the tensors it affects.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');

function gradlens(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Tensor { layer: string; param: string; band: string | null; checked: number; count: number; kinked: number; relError: number | null }

describe('gradlens gradcheck (built)', function () {
  this.timeout(120_000);
  before(() => {
    if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  });

  it('finds every tensor of every example good (or its kinks explained) and exits 0', () => {
    for (const file of readdirSync(resolve(ROOT, 'examples')).filter((f) => f.endsWith('.net'))) {
      const { status, stdout, stderr } = gradlens(['gradcheck', `examples/${file}`, '--json']);
      assert.equal(status, 0, `${file}: ${stderr}`);
      const report = JSON.parse(stdout);
      assert.equal(report.file, `examples/${file}`);
      for (const t of report.tensors as Tensor[]) {
        assert.ok(t.band === 'good' || (t.band === null && t.kinked === t.checked), `${file} ${t.layer}.${t.param}: ${t.band} (${t.relError})`);
      }
    }
  });

  it('prints a table with the band, the worst entry, and how many entries were sampled', () => {
    const { status, stdout } = gradlens(['gradcheck', 'examples/spiral.net']);
    assert.equal(status, 0);
    assert.match(stdout, /^examples\/spiral\.net — spiral: gradient check of 4,547 parameters in .+: every tensor good$/m);
    assert.match(stdout, /^tensor +shape +checked +rel\. error +band +worst entry$/m);
    assert.match(stdout, /^h2\.W +\[64, 64\] +\d+ of 4,096 +\S+ +good +W\[\d+, \d+\]: \S+ vs \S+ numeric \(rel \S+\)$/m);
    assert.match(stdout, /^out\.b +\[3\] +3 +\S+ +good/m);
    assert.match(stdout, /^Sampled: \d+ of 4,547 entries checked/m);
    assert.match(stdout, /^Bands \(CS231n\): good < 1e-7 ≤ acceptable \(with kinks\) < 1e-4 ≤ suspect < 0\.01 ≤ wrong\.$/m);
  });

  it('explains kinks (ReLU at 0, MAE at output = target) rather than reporting them as errors', () => {
    const { status, stdout } = gradlens(['gradcheck', 'test/fixtures/gradcheck/kinks.net']);
    assert.equal(status, 0);
    assert.match(stdout, /^h1\.W +\[1, 8\] +8 +— +kinks +—$/m);
    assert.match(stdout, /^Kink: relu at 0 in h1 \(line 6\) — for 16 checked entries of h1\.W, h1\.b a step of ±h moved a value across it/m);
  });

  it('GRADLENS_TEST_CORRUPT_BACKWARD (test only) makes exactly the affected tensors wrong, and exits 1', () => {
    const { status, stdout, stderr } = gradlens(['gradcheck', 'examples/spiral.net', '--json'], { GRADLENS_TEST_CORRUPT_BACKWARD: 'dense.b' });
    assert.equal(status, 1);
    assert.match(stderr, /a backward rule is corrupted on purpose \(test only\)/);
    const bands = Object.fromEntries((JSON.parse(stdout).tensors as Tensor[]).map((t) => [`${t.layer}.${t.param}`, t.band]));
    assert.deepEqual(bands, { 'h1.W': 'good', 'h1.b': 'wrong', 'h2.W': 'good', 'h2.b': 'wrong', 'out.W': 'good', 'out.b': 'wrong' });

    const relu = gradlens(['gradcheck', 'examples/iris.net'], { GRADLENS_TEST_CORRUPT_BACKWARD: 'relu' });
    assert.equal(relu.status, 1);
    assert.match(relu.stdout, /: 2 of 4 tensors wrong: hidden\.W, hidden\.b$/m);
  });

  it('usage errors and file errors exit 2 with a message', () => {
    assert.match(gradlens(['gradcheck']).stderr, /gradcheck needs a \.net file/);
    assert.equal(gradlens(['gradcheck', 'examples/xor.net', '--steps', '3']).status, 2);
    const missing = gradlens(['gradcheck', 'test/fixtures/cli/missing-csv.net']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /missing-csv\.net:\d+:\d+: csv-not-found/);
    assert.match(gradlens(['gradcheck', '--help']).stdout, /^gradlens gradcheck FILE \[--json\]/);
  });
});
