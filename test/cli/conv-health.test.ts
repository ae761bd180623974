// Gradient health on a convolution, through the built CLI: a conv2d whose ReLU channels are
// all dead from the start (positive pixels, weights around −0.5) is flagged dead-relu on its
// line, and the collapse says what is true — every weight gradient is 0, while the output
// bias still gets one (it learns the class prior).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve(__dirname, '../../dist/cli.js');

describe('gradlens CLI: a dead convolution', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gradlens-conv-health-'));
    const header = ['label', ...Array.from({ length: 36 }, (_, i) => `p${i}`)].join(',');
    const rows = Array.from({ length: 40 }, (_, r) => [r % 3, ...Array.from({ length: 36 }, (_, i) => (((r + 1) * (i + 3)) % 29) / 29 + 0.01)].join(','));
    writeFileSync(join(dir, 'pos.csv'), [header, ...rows].join('\n') + '\n');
    writeFileSync(join(dir, 'dead.net'), [
      'data "pos.csv" target=label task=classes normalize=false',
      'input 1 6 6',
      'c: conv2d 4 kernel=3 relu init=normal(-0.5, 0.01)',
      'flatten',
      'out: dense 3',
      'optimizer sgd lr=0.05',
      'train epochs=20',
    ].join('\n') + '\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('dead-relu on the conv line (exit 1 with --fail-on dead); the collapse names weight gradients, and the output bias still learns', () => {
    const inspect = spawnSync(process.execPath, [CLI, 'inspect', join(dir, 'dead.net'), '--json', '--fail-on', 'dead'], { encoding: 'utf8' });
    assert.equal(inspect.status, 1, inspect.stderr);
    const findings = (JSON.parse(inspect.stdout) as { findings: { code: string; line: number; message: string }[] }).findings;
    assert.ok(findings.some((f) => f.code === 'dead-relu' && f.line === 2), JSON.stringify(findings));
    const dead = findings.find((f) => f.code === 'dead-network');
    assert.ok(dead, JSON.stringify(findings));
    assert.match(dead.message, /every weight gradient exactly 0/);

    const grads = spawnSync(process.execPath, [CLI, 'grads', join(dir, 'dead.net'), '--json'], { encoding: 'utf8' });
    const out = (JSON.parse(grads.stdout) as { layers: { name: string; params: { name: string; grad: number[] }[] }[] }).layers.find((l) => l.name === 'out')!;
    assert.ok(out.params.find((p) => p.name === 'W')!.grad.every((g) => g === 0));
    assert.ok(out.params.find((p) => p.name === 'b')!.grad.some((g) => g !== 0));
  });
});
