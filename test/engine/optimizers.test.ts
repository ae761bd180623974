// Optimizer updates over several steps against torch.optim's update rules, written out
// for a two-parameter model y = w·x + b with loss (w·x + b − t)² on one example, whose
// gradients are gw = 2(wx + b − t)·x and gb = 2(wx + b − t).

import { strict as assert } from 'node:assert';
import type { OptimizerSpec } from '../../src/lang/spec';
import { Session } from '../../src/engine/session';
import { adam, dataset, dense, network, rmsprop, sgd } from './helpers/specs';

const X = 2, T = 3;

function engineTrajectory(optimizer: OptimizerSpec, steps: number): [number, number][] {
  const spec = network({ input: 1, layers: [dense(1, 'linear', { init: { kind: 'ones' } })], loss: { kind: 'mse' }, optimizer, trainSize: 1 });
  const session = new Session(spec, dataset([[X]], [[T]], 'regression'), { dtype: 'float64' });
  const [w, b] = session.net.params;
  const out: [number, number][] = [];
  for (let s = 0; s < steps; s++) {
    assert.ok(session.step());
    out.push([w.value[0], b.value[0]]);
  }
  return out;
}

function gradients(w: number, b: number): [number, number] {
  const r = 2 * (w * X + b - T);
  return [r * X, r];
}

/** torch.nn.utils.clip_grad_norm_ followed by torch.optim's step, for [w, b] starting at [1, 0]. */
function torchTrajectory(optimizer: OptimizerSpec, steps: number): [number, number][] {
  let p: number[] = [1, 0];
  const state = { buf: [0, 0], m: [0, 0], v: [0, 0], sq: [0, 0], t: 0 };
  const out: [number, number][] = [];
  for (let s = 0; s < steps; s++) {
    let g: number[] = gradients(p[0], p[1]);
    if (optimizer.clip !== undefined) {
      const norm = Math.hypot(g[0], g[1]);
      const coef = Math.min(1, optimizer.clip / (norm + 1e-6));
      g = [g[0] * coef, g[1] * coef];
    }
    g = [g[0] + optimizer.weightDecay * p[0], g[1] + optimizer.weightDecay * p[1]];
    if (optimizer.kind === 'sgd') {
      let d = g;
      if (optimizer.momentum !== 0) {
        state.buf = s === 0 ? g.slice() : state.buf.map((b, i) => optimizer.momentum * b + g[i]);
        d = optimizer.nesterov ? g.map((gi, i) => gi + optimizer.momentum * state.buf[i]) : state.buf;
      }
      p = p.map((pi, i) => pi - optimizer.lr * d[i]);
    } else if (optimizer.kind === 'adam') {
      const { lr, beta1, beta2, eps } = optimizer;
      state.t++;
      state.m = state.m.map((m, i) => beta1 * m + (1 - beta1) * g[i]);
      state.v = state.v.map((v, i) => beta2 * v + (1 - beta2) * g[i] * g[i]);
      const stepSize = lr / (1 - beta1 ** state.t);
      const bc2 = Math.sqrt(1 - beta2 ** state.t);
      p = p.map((pi, i) => pi - (stepSize * state.m[i]) / (Math.sqrt(state.v[i]) / bc2 + eps));
    } else {
      const { lr, decay, eps } = optimizer;
      state.sq = state.sq.map((q, i) => decay * q + (1 - decay) * g[i] * g[i]);
      p = p.map((pi, i) => pi - (lr * g[i]) / (Math.sqrt(state.sq[i]) + eps));
    }
    out.push([p[0], p[1]]);
  }
  return out;
}

function expectSameTrajectory(optimizer: OptimizerSpec, steps = 6) {
  const engine = engineTrajectory(optimizer, steps), torch = torchTrajectory(optimizer, steps);
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < 2; i++) {
      const a = engine[s][i], e = torch[s][i];
      assert.ok(Math.abs(a - e) <= 1e-12 * Math.max(1, Math.abs(e)), `step ${s + 1} param ${i}: ${a} vs ${e}`);
    }
  }
}

describe('optimizers follow torch.optim', () => {
  it('plain SGD: the first step by hand is w = 1 − 0.05·(−4), b = 0 − 0.05·(−2)', () => {
    // At w=1, b=0: residual 2·(2 − 3) = −2, so gw = −4, gb = −2.
    assert.deepEqual(engineTrajectory(sgd(0.05), 1)[0], [1.2, 0.1]);
    expectSameTrajectory(sgd(0.05));
  });
  it('SGD with momentum (buffer v = μv + g)', () => expectSameTrajectory(sgd(0.02, { momentum: 0.9 })));
  it('SGD with Nesterov momentum (step g + μv)', () => expectSameTrajectory(sgd(0.02, { momentum: 0.9, nesterov: true })));
  it('SGD with weight decay added to the gradient', () => expectSameTrajectory(sgd(0.05, { weightDecay: 0.1, momentum: 0.5 })));
  it('Adam: the first step moves each parameter by lr against the gradient sign', () => {
    const [w, b] = engineTrajectory(adam(0.01), 1)[0];
    assert.ok(Math.abs(w - 1.01) < 1e-9 && Math.abs(b - 0.01) < 1e-9, `${w}, ${b}`);
    expectSameTrajectory(adam(0.01), 10);
  });
  it('Adam with L2 weight decay', () => expectSameTrajectory(adam(0.05, { weightDecay: 0.01, beta1: 0.8, beta2: 0.95 }), 10));
  it('RMSprop (alpha = decay, eps outside the root)', () => expectSameTrajectory(rmsprop(0.01), 10));
  it('RMSprop with weight decay', () => expectSameTrajectory(rmsprop(0.01, { decay: 0.9, weightDecay: 0.05 }), 10));
  it('clip scales the global gradient norm to at most clip (clip_grad_norm_)', () => {
    // First step: ‖(−4, −2)‖ = √20, scaled to norm 1 then SGD lr 0.1.
    const [w, b] = engineTrajectory(sgd(0.1, { clip: 1 }), 1)[0];
    const coef = 1 / (Math.sqrt(20) + 1e-6);
    assert.ok(Math.abs(w - (1 + 0.1 * 4 * coef)) < 1e-15 && Math.abs(b - 0.1 * 2 * coef) < 1e-15);
    expectSameTrajectory(sgd(0.1, { clip: 1, momentum: 0.9 }), 8);
    expectSameTrajectory(adam(0.1, { clip: 0.5 }), 8);
  });
  it('clip above the gradient norm changes nothing', () => {
    assert.deepEqual(engineTrajectory(sgd(0.05, { clip: 100 }), 3), engineTrajectory(sgd(0.05), 3));
  });
});
