// rnn: the Elman cell of PyTorch's nn.RNN (nonlinearity tanh), one gate (G = 1):
//   h_t = tanh(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh)
// Backward through one step: da = ∂L/∂h_t ⊙ (1 − h_t²), the same for the input and the
// recurrent side; ∂L/∂h_{t−1} = da·W_hh (added by recurrent.ts).

import type { DType } from '../floats';
import type { Tensor } from '../tape';
import { RecurrentOp, type RecurrentGeometry, type RecurrentParams } from './recurrent';

export class RnnOp extends RecurrentOp {
  readonly name = 'rnn';

  constructor(layer: number, input: Tensor, geometry: RecurrentGeometry, params: RecurrentParams, dtype: DType, capacity: number) {
    super(layer, input, geometry, 1, params, dtype, capacity);
  }

  protected step(t: number, rows: number): void {
    this.recurrentProduct(t, rows);
    const n = rows * this.hidden, xp = this.xp, hp = this.hp, h = this.hs;
    const from = (t - 1) * this.capacity * this.hidden, to = t * this.capacity * this.hidden;
    for (let i = 0; i < n; i++) h[to + i] = Math.tanh(xp[from + i] + hp[i]);
  }

  protected stepBack(t: number, rows: number): void {
    const n = rows * this.hidden, h = this.hs, dh = this.dh, da = this.dGx;
    const at = t * this.capacity * this.hidden, slot = (t - 1) * this.capacity * this.hidden;
    for (let i = 0; i < n; i++) {
      const v = h[at + i];
      da[slot + i] = dh[i] * (1 - v * v);
    }
    this.dhPrev.fill(0, 0, n);
  }
}
