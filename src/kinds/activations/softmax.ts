// softmax over each row's features (max-shifted); backward is the Jacobian-vector
// product y ⊙ (dy − Σⱼ dyⱼ·yⱼ) per row.

import { defineActivation } from '../activation';

export const softmax = defineActivation({
  name: 'softmax',
  syntax: 'softmax',
  doc: 'Softmax over each example\'s features: exponentiate and normalise to probabilities that sum to 1. Do not put it before `cross_entropy`, which takes raw logits and applies log-softmax itself; a second softmax flattens the gradients.',
  traits: { reluFamily: false, canDie: false, saturation: null },
  pytorch: 'nn.Softmax(dim=1)',
  gradcheck: [''],
  elementwise: false,
  forward(z, y, rows, cols) {
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      let max = -Infinity;
      for (let j = 0; j < cols; j++) if (z[o + j] > max) max = z[o + j];
      let sum = 0;
      for (let j = 0; j < cols; j++) { const e = Math.exp(z[o + j] - max); y[o + j] = e; sum += e; }
      const inv = 1 / sum;
      for (let j = 0; j < cols; j++) y[o + j] *= inv;
    }
  },
  backward(y, dy, dz, rows, cols) {
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += dy[o + j] * y[o + j];
      for (let j = 0; j < cols; j++) dz[o + j] = y[o + j] * (dy[o + j] - dot);
    }
  },
});
