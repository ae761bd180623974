// tanh: tanh′ = 1 − tanh², read from the saved output.

import { defineActivation } from '../activation';
import { DY_SQUARES, Y_SATURATED, Y_SQUARES, Y_SUM } from '../../engine/kernels/measure';

// Saturated: the derivative is below 6% of its maximum (after Karpathy's makemore part 3,
// 1 − 0.97² ≈ 0.06): |tanh| > 0.97.
const LIMIT = 0.97;
const SATURATED_SLOPE = 1 - LIMIT * LIMIT;

export const tanh = defineActivation({
  name: 'tanh',
  syntax: 'tanh',
  doc: 'Hyperbolic tangent, output in (−1, 1), zero-centred. Saturates for |x| large: its derivative 1 − tanh² falls below 6% when |tanh| > 0.97, and gradients through saturated units vanish. Pair it with Xavier init.',
  traits: { reluFamily: false, canDie: false, saturation: { low: -LIMIT, high: LIMIT } },
  pytorch: 'nn.Tanh()',
  gradcheck: [''],
  elementwise: true,
  forward(z, y, n) {
    for (let i = 0; i < n; i++) y[i] = Math.tanh(z[i]);
  },
  backward(_z, y, dy, dz, n) {
    for (let i = 0; i < n; i++) { const t = y[i]; dz[i] = dy[i] * (1 - t * t); }
  },
  // Everything measured in the backward, which reads y and dy anyway, with saturation
  // counted from the derivative it computes (one compare instead of two; the test on the
  // slope and on |y| can only disagree within a few double ulps of the limit). Not in the
  // forward: the accumulators spill around each Math.tanh call.
  measured: {
    outputInBackward: true,
    backward(_z, y, dy, dz, n, _alpha, stats) {
      let sum = 0, squares = 0, saturated = 0, gradSquares = 0;
      for (let i = 0; i < n; i++) {
        const t = y[i], g = dy[i], slope = 1 - t * t;
        sum += t; squares += t * t; gradSquares += g * g;
        saturated += slope < SATURATED_SLOPE ? 1 : 0;
        dz[i] = g * slope;
      }
      stats[Y_SUM] = sum;
      stats[Y_SQUARES] = squares;
      stats[Y_SATURATED] = saturated;
      stats[DY_SQUARES] = gradSquares;
    },
  },
});
