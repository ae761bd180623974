// Parameter updates, as torch.optim's single-tensor implementations, one fused pass per
// parameter tensor. Weight decay is L2 added to the gradient (g + wd·w) in all three.
//   sgd      v = μ·v + g;  step = nesterov ? g + μ·v : v  (v starts at 0, so torch's first v = g)
//   adam     m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;
//            w −= (lr/(1−β1ᵗ))·m / (√v/√(1−β2ᵗ) + eps)
//   rmsprop  s = α·s + (1−α)·g²;  w −= lr·g/(√s + eps)
// Global-norm clipping (clip_grad_norm_, computed by the session) enters as `gradScale`,
// folded into the read of g.
// Each pass also returns, per tensor, ‖ΔW‖² and the new ‖W‖² (telemetry and the NaN check),
// and, when asked (telemetry without clipping, so g is still the raw gradient), the sum,
// sum of squares and max |g| of the gradient it reads anyway: one pass fewer per step.

import type { OptimizerSpec } from '../lang/spec';
import { allocate, type DType, type Floats } from './floats';
import type { Param } from './tape';

export interface Optimizer {
  readonly name: OptimizerSpec['kind'];
  /**
   * [0]: factor on every gradient for the next step (clipping; 1 otherwise). A typed array,
   * not a float field or argument: V8 boxes a float passed to a call it does not inline or
   * stored through a polymorphic site (three optimizer classes), an allocation per step.
   */
  readonly gradScale: Float64Array;
  /**
   * Updates every param; writes ‖ΔW‖² to updateSquares[k] and the new ‖W‖² to
   * weightSquares[k]; with `gradMoments`, Σg, Σg², max |g| of param k's raw gradient to
   * gradMoments[3k…3k+2].
   */
  step(updateSquares: Float64Array, weightSquares: Float64Array, gradMoments: Float64Array | null): void;
}

export function makeOptimizer(spec: OptimizerSpec, params: readonly Param[], dtype: DType): Optimizer {
  switch (spec.kind) {
    case 'sgd':
      return new Sgd(spec, params, dtype);
    case 'adam':
      return new Adam(spec, params, dtype);
    case 'rmsprop':
      return new RmsProp(spec, params, dtype);
  }
}

class Sgd implements Optimizer {
  readonly name = 'sgd';
  readonly gradScale = new Float64Array([1]);
  private readonly velocity: Floats[];

  constructor(
    private readonly spec: Extract<OptimizerSpec, { kind: 'sgd' }>,
    private readonly params: readonly Param[],
    dtype: DType,
  ) {
    this.velocity = spec.momentum !== 0 ? params.map((p) => allocate(dtype, p.count)) : [];
  }

  step(updateSquares: Float64Array, weightSquares: Float64Array, gradMoments: Float64Array | null): void {
    const gradScale = this.gradScale[0];
    const { lr, momentum: mu, nesterov, weightDecay: wd } = this.spec;
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k], w = p.value, g = p.grad, n = p.count;
      let du = 0, ww = 0, gs = 0, gq = 0, gm = 0;
      if (mu === 0 && gradMoments === null) {
        // The cheapest update of all: keep it free of the moment sums when nobody reads them.
        for (let i = 0; i < n; i++) {
          const old = w[i];
          w[i] = old - lr * (g[i] * gradScale + wd * old);
          const d = w[i] - old; du += d * d; ww += w[i] * w[i];
        }
      } else if (mu === 0) {
        for (let i = 0; i < n; i++) {
          const old = w[i], raw = g[i], a = Math.abs(raw);
          gs += raw; gq += raw * raw; gm = a > gm ? a : gm;
          w[i] = old - lr * (raw * gradScale + wd * old);
          const d = w[i] - old; du += d * d; ww += w[i] * w[i];
        }
      } else {
        const v = this.velocity[k];
        for (let i = 0; i < n; i++) {
          const old = w[i], raw = g[i], a = Math.abs(raw);
          gs += raw; gq += raw * raw; gm = a > gm ? a : gm;
          const gi = raw * gradScale + wd * old;
          v[i] = mu * v[i] + gi;
          w[i] = old - lr * (nesterov ? gi + mu * v[i] : v[i]);
          const d = w[i] - old; du += d * d; ww += w[i] * w[i];
        }
      }
      updateSquares[k] = du;
      weightSquares[k] = ww;
      if (gradMoments !== null) { gradMoments[3 * k] = gs; gradMoments[3 * k + 1] = gq; gradMoments[3 * k + 2] = gm; }
    }
  }
}

class Adam implements Optimizer {
  readonly name = 'adam';
  readonly gradScale = new Float64Array([1]);
  private readonly m: Floats[];
  private readonly v: Floats[];
  private t = 0;

  constructor(
    private readonly spec: Extract<OptimizerSpec, { kind: 'adam' }>,
    private readonly params: readonly Param[],
    dtype: DType,
  ) {
    this.m = params.map((p) => allocate(dtype, p.count));
    this.v = params.map((p) => allocate(dtype, p.count));
  }

  step(updateSquares: Float64Array, weightSquares: Float64Array, gradMoments: Float64Array | null): void {
    const gradScale = this.gradScale[0];
    const { lr, beta1, beta2, eps, weightDecay: wd } = this.spec;
    this.t++;
    const stepSize = lr / (1 - Math.pow(beta1, this.t));
    const correction2Sqrt = Math.sqrt(1 - Math.pow(beta2, this.t));
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k], w = p.value, g = p.grad, m = this.m[k], v = this.v[k], n = p.count;
      let du = 0, ww = 0, gs = 0, gq = 0, gm = 0;
      for (let i = 0; i < n; i++) {
        const old = w[i], raw = g[i], a = Math.abs(raw);
        gs += raw; gq += raw * raw; gm = a > gm ? a : gm; // next to a sqrt and a division: free
        const gi = raw * gradScale + wd * old;
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        w[i] = old - (stepSize * m[i]) / (Math.sqrt(v[i]) / correction2Sqrt + eps);
        const d = w[i] - old; du += d * d; ww += w[i] * w[i];
      }
      updateSquares[k] = du;
      weightSquares[k] = ww;
      if (gradMoments !== null) { gradMoments[3 * k] = gs; gradMoments[3 * k + 1] = gq; gradMoments[3 * k + 2] = gm; }
    }
  }
}

class RmsProp implements Optimizer {
  readonly name = 'rmsprop';
  readonly gradScale = new Float64Array([1]);
  private readonly square: Floats[];

  constructor(
    private readonly spec: Extract<OptimizerSpec, { kind: 'rmsprop' }>,
    private readonly params: readonly Param[],
    dtype: DType,
  ) {
    this.square = params.map((p) => allocate(dtype, p.count));
  }

  step(updateSquares: Float64Array, weightSquares: Float64Array, gradMoments: Float64Array | null): void {
    const gradScale = this.gradScale[0];
    const { lr, decay: alpha, eps, weightDecay: wd } = this.spec;
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k], w = p.value, g = p.grad, s = this.square[k], n = p.count;
      let du = 0, ww = 0, gs = 0, gq = 0, gm = 0;
      for (let i = 0; i < n; i++) {
        const old = w[i], raw = g[i], a = Math.abs(raw);
        gs += raw; gq += raw * raw; gm = a > gm ? a : gm;
        const gi = raw * gradScale + wd * old;
        s[i] = alpha * s[i] + (1 - alpha) * gi * gi;
        w[i] = old - (lr * gi) / (Math.sqrt(s[i]) + eps);
        const d = w[i] - old; du += d * d; ww += w[i] * w[i];
      }
      updateSquares[k] = du;
      weightSquares[k] = ww;
      if (gradMoments !== null) { gradMoments[3 * k] = gs; gradMoments[3 * k + 1] = gq; gradMoments[3 * k + 2] = gm; }
    }
  }
}
