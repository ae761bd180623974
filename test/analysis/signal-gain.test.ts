// What the signal-gain findings say beyond dense stacks, on the zoo's cases (probe, as the
// server judges them): a convolution stack judged at PyTorch's fans, a norm layer's γ flagged
// because the weights before it have a large init (the init named, its fix offered), and a
// narrow deep He-initialised ReLU stack (Σ 1/width, widening offered), a norm after each ReLU
// (the norm moved before the activation).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { judge, parseCase, ZOO_DIR } from '../../bench/health-zoo';
import { NARROW_EXPLANATION, SCALE_FREE_EXPLANATION } from '../../src/analysis/gradient-flow';
import { reciprocalWidthSum } from '../../src/analysis/signal-gain';
import { weightFans } from '../../src/analysis/network';
import { check } from '../../src/lang';

const probe = (name: string) => {
  const path = join(ZOO_DIR, `${name}.net`);
  return judge(parseCase(path, readFileSync(path, 'utf8')), 'probe').findings;
};
const specOf = (text: string) => check(text, { documentPath: '/tmp/x.net', readFile: () => '' }).spec!;

describe('signal gains: convolutions, norm layers, narrow stacks', function () {
  this.timeout(60_000);

  it('fans as torch.nn.init computes them: dense in/out, conv2d C·K·K / OUT·K·K, conv1d F·K / OUT·K', () => {
    const spec = specOf('data blobs n=8 classes=2 features=48 seed=1\ninput 3 4 4\nconv2d 5 kernel=3 padding=1\nflatten\ndense 2\n');
    assert.deepEqual(spec.leaves.filter((l) => l.kind === 'conv2d' || l.kind === 'dense').map((l) => weightFans(l as never)), [{ fanIn: 27, fanOut: 45 }, { fanIn: 80, fanOut: 2 }]);
    const seq = specOf('data blobs n=8 classes=2 features=20 seed=1\ninput 10 2\nconv1d 4 kernel=5\nflatten\ndense 2\n');
    assert.deepEqual(weightFans(seq.leaves[0] as never), { fanIn: 10, fanOut: 20 });
  });

  it('eight conv2d layers at normal(0, 1): exploding on the conv line, the std judged at fan-in 72, the fix setting He on every conv with its std', () => {
    const findings = probe('large-init-conv2d-d8');
    const exploding = findings.find((f) => f.code === 'exploding-gradient' && f.layer === 1);
    assert.ok(exploding, findings.map((f) => `${f.code}@${f.layer}`).join(', '));
    assert.match(exploding.message, /init normal\(0, 1\) has std 1, 6× He's 0\.17 for fan-in 72 \(relu\)/);
    const fix = exploding.fixes.find((f) => f.kind === 'use-inits');
    assert.ok(fix && fix.kind === 'use-inits');
    assert.deepEqual(fix.layers.map((l) => [l.layer, l.init, Number(l.std.toFixed(3))]), [[0, 'he', 0.471], ...[1, 2, 3, 4, 5, 6, 7].map((i) => [i, 'he', 0.167])]);
  });

  it('the He-initialised conv stacks, pooled or not, compound no gain past the thresholds', () => {
    for (const name of ['healthy-conv2d-d8-he', 'healthy-conv1d-d6-he', 'healthy-conv-pool-he']) {
      assert.deepEqual(probe(name).filter((f) => f.code === 'exploding-gradient' || f.code === 'vanishing-gradient').map((f) => f.message), [], name);
    }
  });

  it('γ of a batchnorm after weights at normal(0, 1): the finding names the init (scale-free weights), points at the dense line and offers the matched init', () => {
    const findings = probe('norm-init-large-batchnorm');
    const gamma = findings.filter((f) => f.code === 'exploding-gradient');
    assert.ok(gamma.length > 0);
    for (const f of gamma) {
      assert.equal(f.line + 1, 9);
      assert.equal(f.explanation, SCALE_FREE_EXPLANATION);
      assert.match(f.message, /not a signal growing through depth: the norm layers make the weights of dense1…dense10 scale-free.* init normal\(0, 1\) has std 1, 5\.7× Xavier's 0\.18 for fan-in 32/);
      assert.deepEqual(f.related?.map((r) => r.line + 1), [8]);
      assert.ok(f.fixes.some((x) => x.kind === 'use-inits' && x.layers.length === 10), JSON.stringify(f.fixes));
    }
  });

  it('20 ReLU layers of width 8 at He: vanishing explained by Σ 1/width = 2.5, widening to 64 offered; width 2: dead, widening offered', () => {
    const findings = probe('narrow-relu-d20-w8');
    const vanishing = findings.filter((f) => f.code === 'vanishing-gradient');
    assert.ok(vanishing.length > 0);
    for (const f of vanishing) {
      assert.equal(f.explanation, NARROW_EXPLANATION);
      assert.equal(f.evidence.reciprocalWidthSum, 2.5);
      assert.match(f.message, /the init is matched, but the stack is narrow and deep: Σ 1\/width over its 20 hidden layers is 2\.5/);
      assert.deepEqual(f.fixes[0], { kind: 'widen', layers: [...Array(20).keys()], width: 64 });
    }
    const dead = probe('narrow-relu-d20-w2').find((f) => f.code === 'dead-network');
    assert.ok(dead);
    assert.match(dead.message, /Σ 1\/width over its 20 hidden layers is 10/);
    assert.deepEqual(dead.fixes, [{ kind: 'widen', layers: [...Array(20).keys()], width: 64 }]);
  });

  it('layernorm after each ReLU at He: the growth is flagged on the dense line, and moving the activation after the norm is offered (no init fix applies)', () => {
    const exploding = probe('norm-after-relu-layernorm').filter((f) => f.code === 'exploding-gradient');
    assert.ok(exploding.length > 0);
    for (const f of exploding) {
      assert.equal(f.line + 1, 8);
      assert.deepEqual(f.fixes, [{ kind: 'norm-before-activation', layers: [1, 3, 5, 7, 9, 11, 13, 15, 17, 19] }]);
    }
  });

  it('the healthy 30 × 64 He stack sums to 0.47, below the narrow diagnosis', () => {
    const spec = specOf(readFileSync(join(ZOO_DIR, 'healthy-relu-d30-he.net'), 'utf8'));
    assert.equal(Number(reciprocalWidthSum(spec).sum.toFixed(2)), 0.47);
  });
});
