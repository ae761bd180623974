// relu: max(0, z); relu′(0) = 0 as in PyTorch.

import { defineActivation } from '../activation';
import { DY_SQUARES, Y_SATURATED, Y_SQUARES, Y_SUM } from '../../engine/kernels/measure';

export const relu = defineActivation({
  name: 'relu',
  syntax: 'relu',
  doc: 'Rectified linear unit, max(0, x). Cheap and does not saturate for positive inputs; a unit whose input stays negative for every example is "dead" and passes no gradient. Pair it with He init.',
  traits: { reluFamily: true, canDie: true, saturation: null, kinkAtZero: () => true },
  pytorch: 'nn.ReLU()',
  gradcheck: [''],
  elementwise: true,
  forward(z, y, n) {
    for (let i = 0; i < n; i++) { const v = z[i]; y[i] = v > 0 ? v : 0; }
  },
  backward(z, _y, dy, dz, n) {
    for (let i = 0; i < n; i++) dz[i] = z[i] > 0 ? dy[i] : 0;
  },
  // Each loop is a compare per element whose data-dependent branch hides the extra adds,
  // where a separate pass would cost as much again: the forward sums y, the backward dy.
  measured: {
    forward(z, y, n, _alpha, stats) {
      let sum = 0, squares = 0;
      for (let i = 0; i < n; i++) {
        const v = z[i], r = v > 0 ? v : 0;
        y[i] = r;
        sum += r; squares += r * r;
      }
      stats[Y_SUM] = sum;
      stats[Y_SQUARES] = squares;
      stats[Y_SATURATED] = 0; // relu does not saturate
    },
    backward(z, _y, dy, dz, n, _alpha, stats) {
      let gradSquares = 0;
      for (let i = 0; i < n; i++) {
        const g = dy[i];
        gradSquares += g * g;
        dz[i] = z[i] > 0 ? g : 0;
      }
      stats[DY_SQUARES] = gradSquares;
    },
  },
});
