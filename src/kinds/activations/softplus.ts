// softplus: log(1 + eᶻ) = max(z, 0) + log1p(e^−|z|) (no overflow); its derivative is σ(z).

import { defineActivation } from '../activation';

export const softplus = defineActivation({
  name: 'softplus',
  syntax: 'softplus',
  doc: 'Softplus, log(1 + eˣ): a smooth, always-positive ReLU whose derivative is the sigmoid. Default init Xavier.',
  traits: { reluFamily: false, canDie: false, saturation: null },
  pytorch: 'nn.Softplus()',
  gradcheck: [''],
  elementwise: true,
  forward(z, y, n) {
    for (let i = 0; i < n; i++) { const v = z[i]; y[i] = (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v))); }
  },
  backward(z, _y, dy, dz, n) {
    for (let i = 0; i < n; i++) {
      const v = z[i];
      let s: number;
      if (v >= 0) s = 1 / (1 + Math.exp(-v));
      else { const e = Math.exp(v); s = e / (1 + e); }
      dz[i] = dy[i] * s;
    }
  },
});
