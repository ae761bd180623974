// TEST ONLY. Makes one backward rule of a compiled network wrong, so a test can see the
// gradient check catch it (the CLI reaches it through GRADLENS_TEST_CORRUPT_BACKWARD; see
// docs/gradient-health.md). Every matched op multiplies one gradient it writes by 1.5:
//   `NAME.PARAM` (`dense.b`, `layernorm.gamma`) — that parameter's gradient in every NAME op;
//   `NAME` naming an op (`dense`, `layernorm`, `tanh`, `residual_add`, …) — the gradient it
//     passes to its input;
//   `NAME` naming an activation fused into dense layers (`dense 8 tanh`) — the activation's
//     derivative there, which scales everything the layer's backward computes.

import type { Network } from './compile';
import type { Floats } from './floats';
import type { Op } from './tape';

const FACTOR = 1.5;

/** Wraps the matched ops' backward; false when no op of the network matches `rule`. */
export function corruptBackward(net: Network, rule: string): boolean {
  const [opName, paramName] = rule.split('.');
  let hits = 0;
  for (const op of net.ops) {
    const leaf = op.layer >= 0 ? net.spec.leaves[op.layer] : undefined;
    if (paramName !== undefined) {
      const params = net.params.filter((p) => p.layer === op.layer && p.name === paramName);
      if (op.name !== opName || params.length === 0) continue;
      wrap(op, null, () => params.forEach((p) => scale(p.grad, p.count)));
    } else if (op.name === opName) {
      wrap(op, null, (rows) => op.input.needsGrad && scale(op.input.grad, rows * op.input.width));
    } else if (leaf?.kind === 'dense' && leaf.activation === opName) {
      wrap(op, (rows) => scale(op.output.grad, rows * op.output.width), null);
    } else continue;
    hits++;
  }
  return hits > 0;
}

function wrap(op: Op, before: ((rows: number) => void) | null, after: ((rows: number) => void) | null): void {
  const backward = op.backward.bind(op);
  op.backward = (rows: number) => {
    before?.(rows);
    backward(rows);
    after?.(rows);
  };
}

function scale(values: Floats, n: number): void {
  for (let i = 0; i < n; i++) values[i] *= FACTOR;
}
