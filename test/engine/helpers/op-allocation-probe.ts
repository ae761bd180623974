// Measures new-space growth per forward + backward of every conv, pooling, flatten and
// recurrent op case in a fresh V8 (run by ops-allocation.test.ts as a child process), in
// float32 at 8 rows in buffers for 10 (a short batch). Prints {"title": bytesPerStep} as JSON.

import v8 from 'node:v8';
import vm from 'node:vm';
import type { Floats } from '../../../src/engine/floats';
import type { Op } from '../../../src/engine/tape';
import { OP_CASES, runOp } from './op-cases';

/** Forward, ∂L/∂y := coefficients, backward: no loss value (a returned float would be boxed). */
function pass(op: Op, rows: number, coefficients: Floats): void {
  op.forward(rows, true);
  for (let i = 0; i < coefficients.length; i++) op.output.grad[i] = coefficients[i];
  op.backward(rows);
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const newSpaceUsed = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

const result: Record<string, number> = {};
for (const c of OP_CASES) {
  const { op, coefficients, rows } = runOp(c, 'float32', 8, 3, 10);
  for (let i = 0; i < 1000; i++) pass(op, rows, coefficients);
  const growth: number[] = [];
  for (let chunk = 0; chunk < 5; chunk++) {
    gc();
    const before = newSpaceUsed();
    for (let i = 0; i < 2000; i++) pass(op, rows, coefficients);
    growth.push(newSpaceUsed() - before);
  }
  growth.sort((a, b) => a - b);
  result[c.title] = growth[2] / 2000;
}
process.stdout.write(JSON.stringify(result));
