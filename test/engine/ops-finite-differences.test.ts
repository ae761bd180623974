// Convolution, pooling, flatten and recurrent ops on their own: every parameter's and the
// input's gradient against central finite differences in float64, for full batches and
// for a short batch in buffers sized for more rows (stale rows must not leak in).

import { strict as assert } from 'node:assert';
import { OP_CASES, lossOf, runOp, type OpCase } from './helpers/op-cases';

const TOLERANCE = 1e-7;
const H = 1e-6;

function check(c: OpCase, rows: number, capacity: number): void {
  const run = runOp(c, 'float64', rows, 7, capacity);
  const { op, input, params, coefficients } = run;
  const tensors = [
    ...params.map((p) => ({ key: p.name as string, values: p.value, analytic: Float64Array.from(p.grad), n: p.count })),
    { key: 'input', values: input.value, analytic: Float64Array.from(input.grad.subarray(0, rows * input.width)), n: rows * input.width },
  ];
  for (const { key, values, analytic, n } of tensors) {
    let diff = 0, a2 = 0, n2 = 0;
    for (let i = 0; i < n; i++) {
      const saved = values[i];
      values[i] = saved + H;
      const up = lossOf(op, rows, coefficients);
      values[i] = saved - H;
      const down = lossOf(op, rows, coefficients);
      values[i] = saved;
      const numeric = (up - down) / (2 * H);
      diff += (analytic[i] - numeric) ** 2;
      a2 += analytic[i] ** 2;
      n2 += numeric ** 2;
    }
    const error = Math.sqrt(diff) / Math.sqrt(Math.max(a2, n2));
    assert.ok(a2 > 0, `${key}: the gradient is all zeros, the check proves nothing`);
    assert.ok(error <= TOLERANCE, `${key}: relative error ${error.toExponential(2)}`);
  }
}

describe('conv, pooling, flatten and recurrent backward rules match central finite differences (float64)', () => {
  for (const c of OP_CASES) {
    it(`${c.title}: full batch of 3`, () => check(c, 3, 3));
    it(`${c.title}: 2 rows in buffers for 4`, () => check(c, 2, 4));
  }
});
