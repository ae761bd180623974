// The defaults validated on the real examples: each file checked, trained for a 5-step probe
// on its own batch by the engine, and analysed — what a user sees in the editor.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/analysis';
import type { FindingCode, LayerFinding } from '../../src/analysis/types';
import { train } from '../../src/engine';
import { loadDataset } from '../../src/engine/data';
import { check } from '../../src/lang';
import type { NetworkSpec } from '../../src/lang/spec';
import { DEFAULT_SETTINGS, DEFAULT_THRESHOLDS } from '../../src/protocol/settings';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

const GRADIENT_CODES: FindingCode[] = [
  'vanishing-gradient', 'exploding-gradient', 'nonfinite-gradient', 'dead-relu', 'saturated-activation', 'update-ratio-low', 'update-ratio-high',
];

function probe(name: string): { spec: NetworkSpec; findings: LayerFinding[] } {
  const path = join(EXAMPLES, name);
  const readFile = (p: string) => readFileSync(p, 'utf8');
  const { spec, diagnostics } = check(readFile(path), { documentPath: path, readFile });
  assert.ok(spec, `${name} checks without errors: ${JSON.stringify(diagnostics.map((d) => d.message))}`);
  const run = train(spec, loadDataset(spec.data, readFile), { steps: DEFAULT_SETTINGS.probe.steps });
  return { spec, findings: analyze(spec, run, DEFAULT_THRESHOLDS, 'probe') };
}

const layersWith = (findings: LayerFinding[], code: FindingCode) => findings.filter((f) => f.code === code).map((f) => f.layer);

describe('the default thresholds on the examples (5-step probe)', function () {
  this.timeout(60_000);

  it('deep-sigmoid.net: vanishing gradient on its first layers, not on its last', () => {
    const { spec, findings } = probe('deep-sigmoid.net');
    const vanishing = layersWith(findings, 'vanishing-gradient');
    assert.ok(vanishing.includes(0) && vanishing.includes(1), `first layers flagged: ${vanishing}`);
    assert.ok(!vanishing.includes(spec.leaves.length - 1), 'the output layer is not flagged');
    const first = findings.find((f) => f.code === 'vanishing-gradient' && f.layer === 0)!;
    assert.deepEqual(first.fixes[0], { kind: 'use-activation', layer: 0, activation: 'relu', init: 'he' });
  });

  it('exploding.net: exploding gradient on its first layer', () => {
    const { findings } = probe('exploding.net');
    assert.ok(layersWith(findings, 'exploding-gradient').includes(0));
  });

  for (const name of ['spiral.net', 'residual.net', 'xor.net', 'iris.net']) {
    it(`${name}: none of the gradient codes`, () => {
      const { findings } = probe(name);
      const gradient = findings.filter((f) => GRADIENT_CODES.includes(f.code));
      assert.deepEqual(gradient.map((f) => `${f.code} ${f.layer}: ${f.message}`), []);
    });
  }
});
