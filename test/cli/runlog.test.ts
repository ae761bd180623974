// The run log's header as the engine writes it (`gradlens inspect --jsonl`) and what
// `gradlens analyze` makes of it: the optimizer and the measured initial weights are in the
// header, so the analysis of the log finds what `inspect` finds, lr fixes included.
// Needs `npm run build` first.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');

function gradlens(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Finding { code: string; line: number; layer?: number; fixes: unknown[]; message: string }

describe('run log header: optimizer and initial weights (built CLI)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gradlens-runlog-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('inspect --jsonl writes the .net optimizer with its line and each tensor\'s moments at the start', () => {
    const log = join(dir, 'xor.jsonl');
    assert.equal(gradlens('inspect', 'examples/xor.net', '--steps', '3', '--jsonl', log).status, 0);
    const header = JSON.parse(readFileSync(log, 'utf8').split('\n')[0]!);
    // `optimizer adam lr=0.01` is line 11 (0-based 10).
    assert.deepEqual(header.optimizer, { kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, line: 10 });
    // The weights the run starts from, as `gradlens grads --json` prints them.
    const grads = JSON.parse(gradlens('grads', 'examples/xor.net', '--json').stdout);
    for (const layer of grads.layers as { name: string; params: { name: string; value: number[] }[] }[]) {
      const written = header.layers.find((l: { name: string }) => l.name === layer.name);
      for (const param of layer.params) {
        const mean = param.value.reduce((a, b) => a + b, 0) / param.value.length;
        const std = Math.sqrt(param.value.reduce((a, b) => a + (b - mean) ** 2, 0) / param.value.length);
        const init = written.params.find((p: { name: string }) => p.name === param.name).init;
        assert.ok(Math.abs(init.mean - mean) <= 1e-6 && Math.abs(init.std - std) <= 1e-6, `${layer.name}.${param.name}: ${JSON.stringify(init)} vs ${mean}, ${std}`);
      }
    }
  });

  it('analyze labels an engine log\'s layers as inspect\'s table does (the kind\'s label, written in the header)', () => {
    const log = join(dir, 'conv.jsonl');
    const inspected = gradlens('inspect', 'test/fixtures/debug/conv.net', '--steps', '2', '--jsonl', log);
    assert.equal(inspected.status, 0, inspected.stderr);
    const analysed = gradlens('analyze', log);
    assert.equal(analysed.status, 0, analysed.stderr);
    for (const [name, label] of [['c1', 'conv2d k3 relu'], ['p1', 'maxpool2d 2'], ['out', 'dense']]) {
      const row = new RegExp(`^${name}\\s+${label}\\s`, 'm');
      assert.match(inspected.stdout, row);
      assert.match(analysed.stdout, row);
    }
    // A fused activation is in the header for every kind that has one, not only dense: a log
    // read without its .net judges the conv layer as relu, not linear.
    const header = JSON.parse(readFileSync(log, 'utf8').split('\n')[0]!);
    assert.equal(header.layers.find((l: { name: string }) => l.name === 'c1').activation, 'relu');
  });

  it('a run at adam lr=30 whose loss rose is told to lower the lr, by inspect and by analyze of its log (it was told lr=300)', () => {
    const net = join(dir, 'stuck.net');
    writeFileSync(net, readFileSync(resolve(ROOT, 'examples/spiral.net'), 'utf8').replace(/optimizer .*/, 'optimizer adam lr=30'));
    const log = join(dir, 'stuck.jsonl');
    const lrs = (stdout: string) => (JSON.parse(stdout).findings as Finding[]).filter((f) => f.code === 'loss-not-decreasing')
      .flatMap((f) => (f.fixes as { kind: string; lr?: number }[]).filter((x) => x.kind === 'set-lr').map((x) => x.lr));
    for (const lr of [lrs(gradlens('inspect', net, '--json', '--jsonl', log).stdout), lrs(gradlens('analyze', log, '--json').stdout)]) {
      assert.equal(lr.length, 1, `loss-not-decreasing with an lr fix: ${lr}`);
      assert.ok(lr[0]! < 30, `proposed lr ${lr[0]}`);
    }
  });

  it('analyze of an engine log with lr far too large names the step, the factor and the lr inspect proposes', () => {
    const net = join(dir, 'hot.net');
    writeFileSync(net, readFileSync(resolve(ROOT, 'examples/spiral.net'), 'utf8').replace(/optimizer .*/, 'optimizer adam lr=30'));
    const log = join(dir, 'hot.jsonl');
    const inspected = gradlens('inspect', net, '--steps', '300', '--json', '--jsonl', log);
    const analysed = gradlens('analyze', log, '--json');
    assert.equal(analysed.status, inspected.status, analysed.stderr);
    const pick = (report: { findings: Finding[] }) => report.findings.map((f) => ({ code: f.code, line: f.line, layer: f.layer, fixes: f.fixes }));
    const findings: Finding[] = JSON.parse(analysed.stdout).findings;
    assert.deepEqual(pick({ findings }), pick(JSON.parse(inspected.stdout)));
    const cause = findings.find((f) => /step 1 moved \w+'s weights .* lr is ≈\S+× too large/.test(f.message));
    assert.ok(cause, JSON.stringify(findings.map((f) => f.message)));
    const lr = (cause.fixes as { kind: string; lr?: number }[]).find((f) => f.kind === 'set-lr')?.lr;
    assert.ok(lr !== undefined && lr < 0.01, `proposed lr ${lr}`);
    assert.match(gradlens('analyze', log).stdout, new RegExp(`try: lr=${lr} \\(now 30\\)`));
  });
});
