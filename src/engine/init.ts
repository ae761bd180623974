// Weight initialisation, as PyTorch's torch.nn.init on W [in, out] (fan_in = in,
// fan_out = out; a convolution or recurrent weight passes its own fans and count): he = Kaiming normal std √(2/fan_in); xavier = Glorot uniform
// ±√(6/(fan_in + fan_out)); lecun = normal std √(1/fan_in). Values are drawn row-major
// from the network's seeded init stream, so the same seed gives the same weights.

import type { InitSpec } from '../lang/spec';
import type { Floats } from './floats';
import type { Rng } from './rng';

export function initWeights(w: Floats, fanIn: number, fanOut: number, init: InitSpec, rng: Rng, n = fanIn * fanOut): void {
  switch (init.kind) {
    case 'he':
      return fillNormal(w, n, 0, Math.sqrt(2 / fanIn), rng);
    case 'lecun':
      return fillNormal(w, n, 0, Math.sqrt(1 / fanIn), rng);
    case 'normal':
      return fillNormal(w, n, init.mean, init.std, rng);
    case 'xavier': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return fillUniform(w, n, -limit, limit, rng);
    }
    case 'uniform':
      return fillUniform(w, n, init.low, init.high, rng);
    case 'zeros':
      w.fill(0, 0, n);
      return;
    case 'ones':
      w.fill(1, 0, n);
      return;
  }
}

/** PyTorch's default for every recurrent parameter: uniform(−1/√H, 1/√H). */
export function recurrentDefault(hidden: number): InitSpec {
  const k = 1 / Math.sqrt(hidden);
  return { kind: 'uniform', low: -k, high: k };
}

function fillNormal(w: Floats, n: number, mean: number, std: number, rng: Rng): void {
  for (let i = 0; i < n; i++) w[i] = mean + std * rng.normal();
}

function fillUniform(w: Floats, n: number, low: number, high: number, rng: Rng): void {
  for (let i = 0; i < n; i++) w[i] = low + (high - low) * rng.uniform();
}
