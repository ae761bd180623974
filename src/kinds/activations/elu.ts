// elu: z for z > 0, alpha·(eᶻ − 1) otherwise; elu′(z ≤ 0) = y + alpha.

import { defineActivation } from '../activation';

export const elu = defineActivation({
  name: 'elu',
  syntax: 'elu [alpha=1]',
  doc: 'Exponential linear unit, x for x > 0 and alpha·(eˣ − 1) otherwise (alpha default 1). Smooth, with negative outputs that push mean activations toward zero. Counted in the ReLU family for the default init (He).',
  alpha: { default: 1, doc: 'Scale of the negative branch, alpha·(eˣ − 1).' },
  traits: { reluFamily: true, canDie: false, saturation: null, kinkAtZero: (alpha) => alpha !== 1 },
  pytorch: 'nn.ELU({alpha})',
  gradcheck: ['', 'alpha=0.5'],
  elementwise: true,
  forward(z, y, n, alpha) {
    for (let i = 0; i < n; i++) { const v = z[i]; y[i] = v > 0 ? v : alpha * Math.expm1(v); }
  },
  backward(z, y, dy, dz, n, alpha) {
    for (let i = 0; i < n; i++) dz[i] = z[i] > 0 ? dy[i] : dy[i] * (y[i] + alpha);
  },
});
