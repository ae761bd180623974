// Convolution, pooling, flatten and recurrent ops against PyTorch (Debian's python3-torch at
// /usr/bin/python3) on the same input and parameters: the output, every parameter gradient
// and the input gradient, in float64 to 1e-10 and in float32 (the training dtype, large
// products on the WebAssembly kernel) to 1e-4. This pins PyTorch's semantics and layouts:
// weight [OUT, C, K, K] and [OUT, F, K], gate order i, f, g, o and r, z, n, where GRU's
// reset gate applies, and which input wins a max-pooling tie.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { DType, Floats } from '../../src/engine/floats';
import { OP_CASES, runOp, type OpRun } from './helpers/op-cases';

interface TorchResult {
  output: number[];
  grads: Record<string, number[]>;
  input: number[];
}

const PYTHON = '/usr/bin/python3';
const SCRIPT = resolve(__dirname, '../oracle/torch_ops.py');

function torchReference(runs: readonly OpRun[]): TorchResult[] {
  const cases = runs.map((run, i) => ({
    torch: OP_CASES[i].torch,
    inputShape: OP_CASES[i].inputShape,
    rows: run.rows,
    input: Array.from(run.input.value.subarray(0, run.rows * run.input.width)),
    params: Object.fromEntries(run.params.map((p) => [p.name, Array.from(p.value)])),
    coefficients: Array.from(run.coefficients),
  }));
  const result = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, `${PYTHON} ${SCRIPT} failed: ${result.error ?? ''} ${result.stderr}`);
  return JSON.parse(result.stdout) as TorchResult[];
}

function relativeError(engine: Floats, reference: readonly number[]): number {
  assert.equal(reference.length <= engine.length, true, 'the reference has more values than the engine buffer');
  let diff = 0, scale = 0;
  for (let i = 0; i < reference.length; i++) {
    diff += (engine[i] - reference[i]) ** 2;
    scale = Math.max(scale, reference[i] ** 2);
  }
  return Math.sqrt(diff / reference.length) / Math.sqrt(scale || 1);
}

function compare(dtype: DType, tolerance: number, rowsFor: (i: number) => number): void {
  const runs = OP_CASES.map((c, i) => runOp(c, dtype, rowsFor(i), 100 + i, rowsFor(i) + (i % 2)));
  const references = torchReference(runs);
  runs.forEach((run, i) => {
    const ref = references[i], title = OP_CASES[i].title;
    assert.equal(ref.output.length, run.rows * run.op.output.width, `${title}: output size`);
    const out = relativeError(run.op.output.value, ref.output);
    assert.ok(out <= tolerance, `${title}: output differs from PyTorch by ${out.toExponential(2)}`);
    for (const p of run.params) {
      const e = relativeError(p.grad, ref.grads[p.name]);
      assert.ok(e <= tolerance, `${title}: ∂L/∂${p.name} differs from PyTorch by ${e.toExponential(2)}`);
    }
    const e = relativeError(run.input.grad, ref.input);
    assert.ok(e <= tolerance, `${title}: ∂L/∂input differs from PyTorch by ${e.toExponential(2)}`);
  });
}

describe('conv, pooling, flatten and recurrent ops match PyTorch', function () {
  this.timeout(60000);

  it('float64: outputs, parameter gradients and input gradients to 1e-10', () => {
    compare('float64', 1e-10, () => 3);
  });

  it('float32 at training sizes (32 rows, the WebAssembly products): to 1e-4', () => {
    compare('float32', 1e-4, () => 32);
  });
});
