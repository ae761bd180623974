// swish (SiLU): z·σ(z) (Ramachandran et al. 2017; PyTorch's nn.SiLU).
// swish′(z) = σ(z) + z·σ(z)(1 − σ(z)) = σ(z) + y·(1 − σ(z)).

import { defineActivation } from '../activation';

export const swish = defineActivation({
  name: 'swish',
  syntax: 'swish',
  doc: 'Swish (SiLU), x·σ(x) (Ramachandran et al. 2017; PyTorch\'s nn.SiLU): smooth and non-monotonic, close to relu for large |x| but with a small negative dip, so units do not die. Counted in the ReLU family for the default init (He).',
  traits: { reluFamily: true, canDie: false, saturation: null },
  pytorch: 'nn.SiLU()',
  gradcheck: [''],
  elementwise: true,
  forward(z, y, n) {
    for (let i = 0; i < n; i++) {
      const v = z[i];
      let s: number;
      if (v >= 0) s = 1 / (1 + Math.exp(-v));
      else { const e = Math.exp(v); s = e / (1 + e); }
      y[i] = v * s;
    }
  },
  backward(z, y, dy, dz, n) {
    for (let i = 0; i < n; i++) {
      const v = z[i];
      let s: number;
      if (v >= 0) s = 1 / (1 + Math.exp(-v));
      else { const e = Math.exp(v); s = e / (1 + e); }
      dz[i] = dy[i] * (s + y[i] * (1 - s));
    }
  },
});
