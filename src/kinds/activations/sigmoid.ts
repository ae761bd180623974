// sigmoid: σ(z) = 1 / (1 + e⁻ᶻ), computed without overflow; σ′ = σ(1 − σ).

import { defineActivation } from '../activation';
import { DY_SQUARES, Y_SATURATED, Y_SQUARES, Y_SUM } from '../../engine/kernels/measure';

// Saturated: the derivative is below 6% of its maximum (as for tanh): σ outside
// [0.015, 0.985], where σ′ = σ(1 − σ) < 0.015·0.985.
const LOW = 0.015, HIGH = 0.985;
const SATURATED_SLOPE = LOW * HIGH;

export const sigmoid = defineActivation({
  name: 'sigmoid',
  syntax: 'sigmoid',
  doc: 'Logistic sigmoid, 1 / (1 + e⁻ˣ), output in (0, 1). Its derivative is at most 0.25, so a deep stack of sigmoids shrinks gradients geometrically (the classic vanishing gradient). Use it at the end of a network for `bce`; prefer relu or gelu inside.',
  traits: { reluFamily: false, canDie: false, saturation: { low: LOW, high: HIGH } },
  pytorch: 'nn.Sigmoid()',
  gradcheck: [''],
  elementwise: true,
  forward(z, y, n) {
    // Inline rather than a helper: a float through a call V8 does not inline is boxed.
    for (let i = 0; i < n; i++) {
      const v = z[i];
      if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
      else { const e = Math.exp(v); y[i] = e / (1 + e); }
    }
  },
  backward(_z, y, dy, dz, n) {
    // dy·(σ(1 − σ)), grouped as the measured kernel groups it: telemetry must not change training.
    for (let i = 0; i < n; i++) { const s = y[i]; dz[i] = dy[i] * (s * (1 - s)); }
  },
  // As tanh: everything in the backward, saturation from the derivative.
  measured: {
    outputInBackward: true,
    backward(_z, y, dy, dz, n, _alpha, stats) {
      let sum = 0, squares = 0, saturated = 0, gradSquares = 0;
      for (let i = 0; i < n; i++) {
        const s = y[i], g = dy[i], slope = s * (1 - s);
        sum += s; squares += s * s; gradSquares += g * g;
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
