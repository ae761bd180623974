// Conv, pooling, flatten and recurrent ops allocate nothing per pass: every buffer,
// including the per-time-step views of the recurrent layers, is made when the op is built.
// Short-lived allocations land in V8's new space; the probe (a fresh Node process, see
// helpers/op-allocation-probe.ts) warms each op up, then takes the median growth of five
// chunks of 2000 forward + backward passes. One boxed float per pass would show as 16 bytes.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * V8 optimises on background threads; on a busy machine the optimised code can arrive after
 * the measurement starts, and the interpreter's boxed numbers would read as allocation.
 * Optimising on the main thread makes what is measured independent of the machine's load.
 */
const SYNCHRONOUS_JIT = ['--no-concurrent-recompilation'];

describe('no allocation per pass in conv, pooling, flatten and recurrent ops', function () {
  this.timeout(120000);

  it('under 8 bytes per forward + backward for every op case (float32, short batch)', () => {
    const script = join(__dirname, 'helpers', 'op-allocation-probe.ts');
    const out = execFileSync(process.execPath, [...SYNCHRONOUS_JIT, '--import', 'tsx', script], { encoding: 'utf8' });
    const perPass = JSON.parse(out) as Record<string, number>;
    assert.ok(Object.keys(perPass).length > 10);
    for (const [title, bytes] of Object.entries(perPass)) assert.ok(bytes < 8, `${title}: ${bytes.toFixed(1)} bytes per pass`);
  });
});
