// Vanishing and exploding gradients through time, judged on real engine runs: recurrent
// layers on the adding problem, their ‖∂L/∂h_t‖ per step recorded by back-propagation
// through time, the analysis reading them from the run's telemetry.

import { strict as assert } from 'node:assert';
import { analyze } from '../../src/analysis';
import { generate } from '../../src/engine/data';
import { train } from '../../src/engine/train';
import type { InitSpec, NetworkSpec } from '../../src/lang/spec';
import { range } from '../../src/lang/diagnostics';
import { DEFAULT_THRESHOLDS } from '../../src/protocol/settings';
import { shapedNetwork } from '../engine/helpers/shaped-specs';
import { adam } from '../engine/helpers/specs';

const T = 30;

function recurrentNet(kind: 'rnn' | 'lstm' | 'gru', options: { init?: InitSpec; sequences?: boolean; clip?: number } = {}): NetworkSpec {
  return shapedNetwork({
    input: [T, 2],
    layers: [
      { kind, hidden: 16, init: options.init, sequences: options.sequences },
      ...(options.sequences ? [{ kind: 'flatten' as const }] : []),
      { kind: 'dense', units: 1 },
    ],
    loss: { kind: 'mse' },
    optimizer: adam(0.001, options.clip !== undefined ? { clip: options.clip } : {}),
    trainSize: 64,
    batch: 16,
  });
}

const adding = generate({ kind: 'generator', generator: 'adding', n: 64, noise: 0, seed: 1, options: { T }, range: range(0, 0, 0, 0) });

function findings(spec: NetworkSpec, mode: 'probe' | 'run', steps: number) {
  const run = train(spec, adding, { steps });
  return { run, findings: analyze(spec, run, DEFAULT_THRESHOLDS, mode).filter((f) => f.layer === 0) };
}

describe('gradients through time (recurrent layers)', () => {
  it('telemetry: each step records ‖∂L/∂h_t‖ for every time step of a recurrent layer, decaying toward step 1 for a vanilla rnn', () => {
    const { run } = findings(recurrentNet('rnn'), 'probe', 3);
    const norms = run.frames[0].layers[0].timeGradNorms!;
    assert.equal(norms.length, T);
    assert.ok(norms.every((n) => Number.isFinite(n) && n >= 0));
    assert.ok(norms[0] < norms[T - 1] * 1e-3, `‖∂L/∂h_1‖ ${norms[0]} vs ‖∂L/∂h_T‖ ${norms[T - 1]}`);
    assert.equal(run.frames[0].layers[1].timeGradNorms, undefined, 'a dense layer has no time profile');
  });

  it('a vanilla rnn at initialisation: vanishing-gradient through time on its line, with the reach in steps and use lstm / gru fixes', () => {
    const spec = recurrentNet('rnn');
    const flagged = findings(spec, 'probe', 5).findings.filter((f) => f.code === 'vanishing-gradient' && /through time/.test(f.message));
    assert.equal(flagged.length, 1, JSON.stringify(findings(spec, 'probe', 5).findings.map((f) => f.message)));
    const f = flagged[0];
    assert.equal(f.line, spec.leaves[0].line);
    assert.match(f.message, /the loss gets \S+ of the signal from step 1 that it gets from step 30: this layer cannot learn dependencies longer than ≈\d+ steps/);
    assert.ok(f.evidence.firstToLast < 1e-3);
    assert.ok(f.evidence.reachSteps >= 1 && f.evidence.reachSteps < T);
    assert.deepEqual(f.fixes, [{ kind: 'use-cell', layer: 0, cell: 'lstm' }, { kind: 'use-cell', layer: 0, cell: 'gru' }]);
  });

  it('an lstm or gru is not judged at initialisation (its gates learn to carry the gradient), nor a layer with sequences=true', () => {
    for (const spec of [recurrentNet('lstm'), recurrentNet('gru'), recurrentNet('rnn', { sequences: true })]) {
      const through = findings(spec, 'probe', 5).findings.filter((f) => /through time/.test(f.message));
      assert.deepEqual(through, [], spec.leaves[0].kind);
    }
  });

  it('an rnn with large recurrent weights: exploding-gradient through time, fixed by clip=1 or a smaller init', () => {
    const spec = recurrentNet('rnn', { init: { kind: 'uniform', low: -1, high: 1 } });
    const flagged = findings(spec, 'probe', 3).findings.filter((f) => f.code === 'exploding-gradient' && /through time/.test(f.message));
    assert.equal(flagged.length, 1);
    assert.match(flagged[0].message, /the gradient reaching step 1 is \S+× the one at step 30/);
    assert.ok(flagged[0].evidence.firstToLast > 10);
    assert.deepEqual(flagged[0].fixes, [{ kind: 'add-clip', clip: 1 }, { kind: 'uniform-init', layer: 0, limit: 0.13 }]);
  });
});
