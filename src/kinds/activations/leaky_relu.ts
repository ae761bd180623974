// leaky_relu: z for z > 0, alpha·z otherwise (alpha 0.01 as in PyTorch).

import { defineActivation } from '../activation';

export const leaky_relu = defineActivation({
  name: 'leaky_relu',
  syntax: 'leaky_relu [alpha=0.01]',
  doc: 'Leaky ReLU, x for x > 0 and alpha·x otherwise (alpha default 0.01, as in PyTorch). The small negative slope keeps units from dying. Pair it with He init.',
  alpha: { default: 0.01, doc: 'Slope for negative inputs.' },
  traits: { reluFamily: true, canDie: false, saturation: null, kinkAtZero: (alpha) => alpha !== 1 },
  pytorch: 'nn.LeakyReLU({alpha})',
  gradcheck: ['', 'alpha=0.2'],
  elementwise: true,
  forward(z, y, n, alpha) {
    for (let i = 0; i < n; i++) { const v = z[i]; y[i] = v > 0 ? v : alpha * v; }
  },
  backward(z, _y, dy, dz, n, alpha) {
    for (let i = 0; i < n; i++) dz[i] = z[i] > 0 ? dy[i] : alpha * dy[i];
  },
});
