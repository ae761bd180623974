// The built CLI (`dist/cli.js`, what `gradlens` runs) on the examples: what a person sees,
// what a machine parses, and the exit codes CI relies on. Needs `npm run build` first.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');

function gradlens(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('gradlens CLI (built)', function () {
  this.timeout(120_000);
  before(() => {
    if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  });

  describe('usage', () => {
    it('--help prints the usage and exits 0', () => {
      const { status, stdout } = gradlens('--help');
      assert.equal(status, 0);
      assert.match(stdout, /gradlens inspect FILE \[--steps N\] \[--json\] \[--fail-on FLAGS\]/);
      assert.match(stdout, /gradlens grads FILE/);
    });

    it('COMMAND --help prints that command\'s options', () => {
      assert.match(gradlens('inspect', '--help').stdout, /--fail-on FLAGS +exit with 1/);
      assert.match(gradlens('grads', '--help').stdout, /--after N/);
    });

    it('--version prints the package version', () => {
      const { status, stdout } = gradlens('--version');
      assert.equal(status, 0);
      assert.equal(stdout.trim(), JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')).version);
    });

    it('an unknown option, command or --fail-on flag exits 2 with a one-line reason', () => {
      for (const [args, reason] of [
        [['inspect', 'examples/xor.net', '--bogus'], /unknown option '--bogus'/],
        [['train', 'examples/xor.net'], /unknown command 'train'/],
        [['inspect', 'examples/xor.net', '--fail-on', 'vanish'], /unknown flag 'vanish'/],
        [['inspect', 'examples/xor.net', '--steps', 'ten'], /--steps must be an integer/],
        [['inspect'], /needs a \.net file/],
      ] as const) {
        const { status, stderr, stdout } = gradlens(...args);
        assert.equal(status, 2, args.join(' '));
        assert.match(stderr, reason);
        assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
        assert.equal(stdout, '');
      }
    });
  });

  describe('files with errors', () => {
    it('prints file:line:col: code: message (1-based) for every error and exits 2', () => {
      const { status, stdout, stderr } = gradlens('inspect', 'test/fixtures/cli/errors.net');
      assert.equal(status, 2);
      assert.equal(stdout, '');
      const lines = stderr.trim().split('\n');
      assert.ok(lines.includes('test/fixtures/cli/errors.net:4:1: unknown-layer: Unknown layer `densee`. Did you mean `dense`?'), stderr);
      for (const line of lines) assert.match(line, /^test\/fixtures\/cli\/errors\.net:\d+:\d+: [a-z]+(-[a-z]+)*: \S/);
    });

    it('reports a missing CSV at the data statement and exits 2 (grads too)', () => {
      for (const command of ['inspect', 'grads']) {
        const { status, stderr } = gradlens(command, 'test/fixtures/cli/missing-csv.net');
        assert.equal(status, 2);
        assert.match(stderr, /^test\/fixtures\/cli\/missing-csv\.net:2:\d+: csv-[a-z-]+: .*nothere\.csv/);
      }
    });

    it('says so when the file itself does not exist, exit 2', () => {
      const { status, stderr } = gradlens('inspect', 'examples/nope.net');
      assert.equal(status, 2);
      assert.match(stderr, /^examples\/nope\.net: file-unreadable: no such file/);
    });
  });

  describe('inspect', () => {
    it('prints one row per layer with shape, parameter count, gradient norms, update ratio and flags', () => {
      const { status, stdout } = gradlens('inspect', 'examples/spiral.net', '--steps', '30');
      assert.equal(status, 0);
      const lines = stdout.split('\n');
      const header = lines.find((l) => l.startsWith('layer'))!;
      assert.match(header, /^layer +kind +shape +params +‖∇W‖ first +median +last +update +flags$/);
      // spiral.net: h1 2→64 (128 + 64), h2 64→64 (4096 + 64), out 64→3 (192 + 3); batch 32.
      assert.match(stdout, /^h1 +dense relu +\[32, 64\] +192 +\S+ +\S+ +\S+ +\S+$/m);
      assert.match(stdout, /^h2 +dense relu +\[32, 64\] +4,160 /m);
      assert.match(stdout, /^out +dense +\[32, 3\] +195 /m);
      assert.match(stdout, /4,547 parameters/);
      assert.match(stdout, /30 steps in/);
      assert.match(stdout, /^loss \S+ [▁▂▃▄▅▆▇█]{30} \S+$/m, 'a sparkline with one block per step');
      assert.match(stdout, /No gradient-health flags\./);
    });

    it('flags the vanishing layers of deep-sigmoid.net and exits 1 with --fail-on vanishing', () => {
      const { status, stdout } = gradlens('inspect', 'examples/deep-sigmoid.net', '--fail-on', 'vanishing');
      assert.equal(status, 1);
      assert.match(stdout, /^dense1 +dense sigmoid +\[64, 32\] +1,056 .*vanishing/m);
      assert.match(stdout, /warning vanishing-gradient dense1 \(line 10\): /);
      // The full run (400 steps) sits on a plateau while its first layers barely get a gradient,
      // then escapes it and learns: the flag says when, and that they recovered.
      assert.match(stdout, /warning vanishing-gradient dense1 \(line 10\): Vanishing gradient during steps 1–\d+ of 400 \(then recovered\): ‖∇W‖ RMS \S+, \S+× the largest layer's after it/);
      assert.doesNotMatch(stdout, /^dense(1[0-3]|[7-9]) .*vanishing/m, 'not the layers near the output');
    });

    it('full runs: exploding.net flags exploding (exit 1 with --fail-on exploding); the healthy examples raise no gradient flag', () => {
      assert.equal(gradlens('inspect', 'examples/exploding.net', '--fail-on', 'exploding').status, 1);
      for (const file of ['examples/residual.net', 'examples/xor.net', 'examples/iris.net']) {
        const { status, stdout } = gradlens('inspect', file, '--fail-on', 'vanishing,exploding,nan,dead,saturated,update-low,update-high');
        assert.equal(status, 0, `${file}:\n${stdout}`);
      }
    });

    it('exits 0 on the healthy spiral.net even when failing on every flag', () => {
      const { status } = gradlens('inspect', 'examples/spiral.net', '--fail-on', 'vanishing,exploding,nan,dead,saturated,update-low,update-high');
      assert.equal(status, 0);
    });

    it('exits 0 with --fail-on naming a flag that was not raised, 1 with one that was (full codes too)', () => {
      assert.equal(gradlens('inspect', 'examples/exploding.net', '--steps', '5', '--fail-on', 'dead').status, 0);
      assert.equal(gradlens('inspect', 'examples/exploding.net', '--steps', '5', '--fail-on', 'dead,exploding-gradient').status, 1);
    });

    it('--json prints the spec summary, every frame and the findings as one JSON document', () => {
      const { status, stdout, stderr } = gradlens('inspect', 'examples/deep-sigmoid.net', '--steps', '5', '--json');
      assert.equal(status, 0);
      assert.equal(stderr, '', 'no progress output when stderr is not a terminal');
      const report = JSON.parse(stdout);
      assert.equal(report.file, 'examples/deep-sigmoid.net');
      assert.equal(report.model, 'deep_sigmoid');
      assert.equal(report.spec.paramCount, 12 * (32 * 32 + 32) + 33);
      assert.deepEqual(report.spec.data, { source: 'blobs n=512 noise=0.1 seed=3 classes=2 features=32', task: 'classes', features: 32, classes: 2, trainSize: 512, validationSize: 0 });
      assert.equal(report.spec.layers.length, 13);
      assert.deepEqual(report.spec.layers[0], {
        index: 0, name: 'dense1', kind: 'dense', activation: 'sigmoid', line: 9, inputWidth: 32, outputWidth: 32,
        params: [{ name: 'W', shape: [32, 32], count: 1024 }, { name: 'b', shape: [32], count: 32 }],
      });
      assert.equal(report.run.reason, 'done');
      assert.equal(report.run.steps, 5);
      assert.equal(report.frames.length, 5);
      assert.deepEqual(report.frames.map((f: { step: number }) => f.step), [1, 2, 3, 4, 5]);
      assert.equal(report.frames[0].layers.length, 13);
      assert.ok(Number.isFinite(report.frames[0].layers[0].params[0].gradNorm));
      assert.ok(report.findings.some((f: { code: string; layer: number }) => f.code === 'vanishing-gradient' && f.layer === 0));
      assert.ok(Array.isArray(report.histograms));
    });

    it('reads a CSV data set: iris.csv gives a 120/30 split of 4 features and 3 species', () => {
      const report = JSON.parse(gradlens('inspect', 'examples/iris.net', '--steps', '3', '--json').stdout);
      assert.deepEqual(report.spec.data, {
        source: 'data/iris.csv', task: 'classes', features: 4, classes: 3, trainSize: 120, validationSize: 30,
        classLabels: ['setosa', 'versicolor', 'virginica'],
      });
    });

    it('a diverging run says where the first NaN/Inf came from and exits 1', () => {
      const { status, stdout } = gradlens('inspect', 'test/fixtures/cli/diverging.net');
      assert.equal(status, 1);
      assert.match(stdout, /^diverged: .*step \d+.*matmul.*layer out \(line 5\)/m);
      assert.match(stdout, /error nonfinite-gradient out \(line 5\)/);
      assert.equal(gradlens('inspect', 'test/fixtures/cli/diverging.net', '--fail-on', 'nan').status, 1);
    });
  });

  describe('grads', () => {
    it('--json prints loss, the first batch and every parameter\'s values and gradients, row-major', () => {
      const { status, stdout } = gradlens('grads', 'examples/spiral.net', '--json');
      assert.equal(status, 0);
      const report = JSON.parse(stdout);
      assert.deepEqual(Object.keys(report).sort(), ['batch', 'inputShape', 'layers', 'loss']);
      assert.deepEqual(report.inputShape, [2]);
      assert.ok(Number.isFinite(report.loss) && report.loss > 0);
      assert.equal(report.batch.x.length, 32);
      assert.ok(report.batch.x.every((row: number[]) => row.length === 2));
      assert.equal(report.batch.y.length, 32);
      assert.ok(report.batch.y.every((label: number) => [0, 1, 2].includes(label)));
      assert.deepEqual(report.layers.map((l: { name: string }) => l.name), ['h1', 'h2', 'out']);
      const h1 = report.layers[0];
      assert.equal(h1.kind, 'dense');
      assert.equal(h1.activation, 'relu');
      assert.equal(h1.line, 6, '0-based line of `h1: dense 64 relu`');
      assert.deepEqual(h1.params.map((p: { name: string; shape: number[] }) => [p.name, p.shape]), [['W', [2, 64]], ['b', [64]]]);
      assert.equal(h1.params[0].value.length, 128);
      assert.equal(h1.params[0].grad.length, 128);
      assert.ok(h1.params[1].value.every((b: number) => b === 0), 'biases start at zero');
    });

    it('--after N reports the weights after N steps, on the next batch', () => {
      const start = JSON.parse(gradlens('grads', 'examples/xor.net', '--json').stdout);
      const after = JSON.parse(gradlens('grads', 'examples/xor.net', '--json', '--after', '3').stdout);
      assert.notDeepEqual(after.layers[0].params[0].value, start.layers[0].params[0].value);
      assert.notDeepEqual(after.batch.x, start.batch.x);
      assert.deepEqual(JSON.parse(gradlens('grads', 'examples/xor.net', '--json', '--after', '3').stdout), after, 'deterministic');
    });

    it('without --json prints a short per-parameter summary', () => {
      const { status, stdout } = gradlens('grads', 'examples/xor.net');
      assert.equal(status, 0);
      assert.match(stdout, /^loss \S+ on a batch of 32 examples, at initialisation$/m);
      assert.match(stdout, /^ {2}W \[2, 8\] {2}‖W‖ \S+ {2}‖∇W‖ \S+$/m);
    });
  });
});
