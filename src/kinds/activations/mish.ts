// mish: z·tanh(softplus(z)) (Misra 2019; PyTorch's nn.Mish). With t = tanh(softplus(z)):
// mish′(z) = t + z·(1 − t²)·σ(z), since softplus′ = σ.

import { defineActivation } from '../activation';

export const mish = defineActivation({
  name: 'mish',
  syntax: 'mish',
  doc: 'Mish, x·tanh(softplus(x)) (Misra 2019; PyTorch\'s nn.Mish): smooth and non-monotonic like swish, with a slightly larger negative dip; units do not die. Counted in the ReLU family for the default init (He).',
  traits: { reluFamily: true, canDie: false, saturation: null },
  pytorch: 'nn.Mish()',
  gradcheck: [''],
  elementwise: true,
  forward(z, y, n) {
    for (let i = 0; i < n; i++) {
      const v = z[i];
      y[i] = v * Math.tanh((v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v))));
    }
  },
  backward(z, _y, dy, dz, n) {
    for (let i = 0; i < n; i++) {
      const v = z[i];
      const t = Math.tanh((v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v))));
      let s: number;
      if (v >= 0) s = 1 / (1 + Math.exp(-v));
      else { const e = Math.exp(v); s = e / (1 + e); }
      dz[i] = dy[i] * (t + v * (1 - t * t) * s);
    }
  },
});
