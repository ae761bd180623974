// A training step allocates nothing: every buffer is planned when the network is
// compiled. Short-lived allocations land in V8's new space, so after a warm-up (the step
// then runs as optimised code) we empty it with a GC, run 1,000 steps, and read how much
// it grew — ten times, 10,000 steps in all, taking the median chunk (a late optimisation
// or deoptimisation allocates once, not per step). One boxed float per step (16 bytes)
// already shows as 16 KiB per chunk; the bound leaves room only for the measurement.

import { strict as assert } from 'node:assert';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Session } from '../../src/engine/session';
import type { NetworkSpec } from '../../src/lang/spec';
import type { Dataset } from '../../src/engine/data/dataset';
import { adam, batchnorm, dataset, dense, dropout, layernorm, network, randomRows, residual, rmsprop, sgd } from './helpers/specs';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const newSpaceUsed = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

/** Median new-space growth over ten chunks of 1,000 steps, in bytes per step. */
function bytesPerStep(session: Session): number {
  for (let i = 0; i < 3000; i++) assert.ok(session.step());
  const growth: number[] = [];
  for (let chunk = 0; chunk < 10; chunk++) {
    gc();
    const before = newSpaceUsed();
    for (let i = 0; i < 1000; i++) session.step();
    growth.push(newSpaceUsed() - before);
  }
  growth.sort((a, b) => a - b);
  return growth[5] / 1000;
}

function classes(n: number): Dataset {
  return dataset(randomRows(n, 4, 1), Array.from({ length: n }, (_, i) => i % 3), 'classes', 3);
}

const everyKind = (optimizer: NetworkSpec['optimizer']) => network({
  input: 4,
  layers: [dense(16, 'relu'), layernorm(), residual(dense(16, 'tanh'), batchnorm()), dropout(0.2), dense(16, 'gelu'), dense(3)],
  loss: { kind: 'cross_entropy' },
  optimizer,
  trainSize: 37,
  batch: 8,
});

describe('no allocation per training step', function () {
  this.timeout(120000);

  it('full telemetry, every layer kind, clipping, a short last batch: under 8 bytes per step', () => {
    const perStep = bytesPerStep(new Session(everyKind(adam(0.001, { clip: 1 })), classes(37)));
    assert.ok(perStep < 8, `${perStep.toFixed(1)} bytes per step`);
  });

  it('without telemetry, with sgd momentum and rmsprop: under 8 bytes per step', () => {
    for (const optimizer of [sgd(0.01, { momentum: 0.9, nesterov: true }), rmsprop(0.001)]) {
      const perStep = bytesPerStep(new Session(everyKind(optimizer), classes(37), { telemetry: false }));
      assert.ok(perStep < 8, `${optimizer.kind}: ${perStep.toFixed(1)} bytes per step`);
    }
  });

  it('the heap as a whole stays flat over 10,000 steps', () => {
    const session = new Session(everyKind(adam(0.001)), classes(37));
    for (let i = 0; i < 2000; i++) session.step();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10000; i++) session.step();
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 512 * 1024, `heap grew by ${(grown / 1024).toFixed(0)} KiB`);
  });
});
