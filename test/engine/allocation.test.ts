// A training step allocates nothing: every buffer is planned when the network is
// compiled. Short-lived allocations land in V8's new space, so after a warm-up (the step
// then runs as optimised code) the probe empties it with a GC, runs 1,000 steps, and reads
// how much it grew — ten times, 10,000 steps in all, taking the median chunk (a late
// optimisation or deoptimisation allocates once, not per step). One boxed float per step
// (16 bytes) already shows as 16 KiB per chunk; the bound leaves room only for the
// measurement itself. Then the whole heap over another 10,000 steps, after a GC.
// Each case runs in a fresh Node process (helpers/allocation-probe.ts).

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

function probe(optimizer: string, telemetry: boolean): { bytesPerStep: number; heapGrowth: number } {
  const script = join(__dirname, 'helpers', 'allocation-probe.ts');
  const out = execFileSync(process.execPath, [...SYNCHRONOUS_JIT, '--import', 'tsx', script, optimizer, telemetry ? 'telemetry' : 'bare'], { encoding: 'utf8' });
  return JSON.parse(out) as { bytesPerStep: number; heapGrowth: number };
}

/**
 * V8 optimises on background threads; on a busy machine the optimised code can arrive after
 * the measurement starts, and the interpreter's boxed numbers would read as allocation.
 * Optimising on the main thread makes what is measured independent of the machine's load.
 */
const SYNCHRONOUS_JIT = ['--no-concurrent-recompilation'];

describe('no allocation per training step', function () {
  this.timeout(120000);

  it('full telemetry, every layer kind, adam with clipping, a short last batch: under 8 bytes per step, heap flat', () => {
    const { bytesPerStep, heapGrowth } = probe('adam', true);
    assert.ok(bytesPerStep < 8, `${bytesPerStep.toFixed(1)} bytes per step`);
    assert.ok(heapGrowth < 256 * 1024, `heap grew by ${(heapGrowth / 1024).toFixed(0)} KiB over 10,000 steps`);
  });

  for (const optimizer of ['nesterov', 'rmsprop']) {
    it(`without telemetry, ${optimizer}: under 8 bytes per step, heap flat`, () => {
      const { bytesPerStep, heapGrowth } = probe(optimizer, false);
      assert.ok(bytesPerStep < 8, `${bytesPerStep.toFixed(1)} bytes per step`);
      assert.ok(heapGrowth < 256 * 1024, `heap grew by ${(heapGrowth / 1024).toFixed(0)} KiB over 10,000 steps`);
    });
  }
});
