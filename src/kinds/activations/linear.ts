// linear: the identity. Its buffers may be shared (y = z, dz = dy): then nothing is copied.

import { defineActivation } from '../activation';

export const linear = defineActivation({
  name: 'linear',
  syntax: 'linear',
  doc: 'The identity, f(x) = x. Written explicitly to say "no activation"; a dense layer without an activation is linear.',
  traits: { reluFamily: false, canDie: false, saturation: null },
  pytorch: 'nn.Identity()',
  gradcheck: [''],
  elementwise: true,
  forward(z, y, n) {
    if (y !== z) for (let i = 0; i < n; i++) y[i] = z[i];
  },
  backward(_z, _y, dy, dz, n) {
    if (dz !== dy) for (let i = 0; i < n; i++) dz[i] = dy[i];
  },
});
