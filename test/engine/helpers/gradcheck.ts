// Central finite differences in float64 against the engine's backward pass.

import type { NetworkSpec } from '../../../src/lang/spec';
import type { Dataset } from '../../../src/engine/data/dataset';
import { Network } from '../../../src/engine/compile';
import { testRandom } from './specs';

export interface GradCheck {
  /** Per tensor (`layer.param` or `input`): ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖). */
  errors: Record<string, number>;
  /** ‖analytic‖ per tensor, so a test can tell a passing check from an all-zero one. */
  norms: Record<string, number>;
  loss: number;
}

/**
 * Compiles `spec` in float64, loads all training rows as one batch, optionally randomises
 * the parameters (so gamma ≠ 1, beta ≠ 0, biases ≠ 0), and compares every parameter's and
 * the input's gradient with (L(θ+h) − L(θ−h))/2h. Dropout masks are replayed per evaluation.
 */
export function gradcheck(spec: NetworkSpec, data: Dataset, options: { randomize?: boolean; h?: number } = {}): GradCheck {
  const h = options.h ?? 1e-6;
  const rows = data.train.n;
  const net = new Network(spec, { dtype: 'float64', batch: rows });
  net.input.needsGrad = true;
  if (options.randomize ?? true) {
    const r = testRandom(99);
    for (const p of net.params) for (let i = 0; i < p.count; i++) p.value[i] = p.name === 'gamma' ? 0.5 + r() : r() * 1.2 - 0.6;
  }
  net.loadBatch(data.train, data.targetWidth, null, 0, rows);
  const rngState = net.dropoutRng.save();
  const lossNow = (): number => {
    net.dropoutRng.restore(rngState);
    if (!net.forward(rows, true)) throw new Error(`non-finite forward: ${net.fault.op}`);
    return net.loss.value;
  };
  const loss = lossNow();
  if (!net.backward(rows)) throw new Error(`non-finite backward: ${net.fault.op}`);

  const errors: Record<string, number> = {};
  const norms: Record<string, number> = {};
  const compare = (key: string, values: Float64Array, analytic: Float64Array, n: number) => {
    let diff = 0, a2 = 0, n2 = 0;
    for (let i = 0; i < n; i++) {
      const saved = values[i];
      values[i] = saved + h;
      const up = lossNow();
      values[i] = saved - h;
      const down = lossNow();
      values[i] = saved;
      const numeric = (up - down) / (2 * h);
      diff += (analytic[i] - numeric) ** 2;
      a2 += analytic[i] ** 2;
      n2 += numeric ** 2;
    }
    const scale = Math.sqrt(Math.max(a2, n2));
    errors[key] = scale === 0 ? 0 : Math.sqrt(diff) / scale;
    norms[key] = Math.sqrt(a2);
  };
  for (const p of net.params) {
    compare(`${spec.leaves[p.layer].name}.${p.name}`, p.value as Float64Array, Float64Array.from(p.grad), p.count);
  }
  compare('input', net.input.value as Float64Array, Float64Array.from(net.input.grad.subarray(0, rows * spec.inputWidth)), rows * spec.inputWidth);
  return { errors, norms, loss };
}
