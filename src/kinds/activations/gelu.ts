// gelu: z·Φ(z), the exact erf form (PyTorch's default); gelu′(z) = Φ(z) + z·φ(z).

import { defineActivation } from '../activation';
import { normalCdfs } from '../../engine/kernels/erf';

const INV_SQRT_2PI = 0.3989422804014327;

export const gelu = defineActivation({
  name: 'gelu',
  syntax: 'gelu',
  doc: 'Gaussian error linear unit, x·Φ(x) in the exact erf form (PyTorch\'s default). A smooth ReLU used in transformers. Counted in the ReLU family for the default init (He).',
  traits: { reluFamily: true, canDie: false, saturation: null },
  pytorch: 'nn.GELU()',
  gradcheck: [''],
  elementwise: true,
  forward(z, y, n) {
    normalCdfs(z, y, n);
    for (let i = 0; i < n; i++) y[i] *= z[i];
  },
  backward(z, _y, dy, dz, n) {
    // dz holds Φ(z) first (it is never dy's buffer here).
    normalCdfs(z, dz, n);
    for (let i = 0; i < n; i++) {
      const v = z[i];
      dz[i] = dy[i] * (dz[i] + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
    }
  },
});
