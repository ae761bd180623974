// lstm: PyTorch's nn.LSTM cell, gates stacked i, f, g, o (G = 4), c₀ = 0:
//   [i, f, g, o] = [σ, σ, tanh, σ](W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh)
//   c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
// Backward through one step, with dc carrying ∂L/∂c_t down from step t + 1:
//   dc += dh ⊙ o ⊙ (1 − tanh²c_t);  do = dh ⊙ tanh c_t;  di = dc ⊙ g;  dg = dc ⊙ i;
//   df = dc ⊙ c_{t−1};  dc ← dc ⊙ f (for step t − 1); the pre-activation gradients are
//   those times σ′ = s(1 − s) or tanh′ = 1 − g². ∂L/∂h_{t−1} = dG·W_hh (recurrent.ts).

import { allocate, type DType, type Floats } from '../floats';
import type { Tensor } from '../tape';
import { RecurrentOp, type RecurrentGeometry, type RecurrentParams } from './recurrent';

export class LstmOp extends RecurrentOp {
  readonly name = 'lstm';
  /** The gate values i, f, g, o of every step, [T, capacity, 4H]. */
  private readonly gateValues: Floats;
  /** c₀ … c_T, [T + 1, capacity, H]; slot 0 stays zero. */
  private readonly cells: Floats;
  /** tanh(c_t) of every step, [T, capacity, H]. */
  private readonly cellTanh: Floats;
  /** ∂L/∂c_t carried down the steps, [capacity, H]. */
  private readonly dc: Floats;

  constructor(layer: number, input: Tensor, geometry: RecurrentGeometry, params: RecurrentParams, dtype: DType, capacity: number) {
    super(layer, input, geometry, 4, params, dtype, capacity);
    const slots = geometry.steps * capacity, h = geometry.hidden;
    this.gateValues = allocate(dtype, slots * 4 * h);
    this.cells = allocate(dtype, (geometry.steps + 1) * capacity * h);
    this.cellTanh = allocate(dtype, slots * h);
    this.dc = allocate(dtype, capacity * h);
  }

  protected step(t: number, rows: number): void {
    this.recurrentProduct(t, rows);
    const H = this.hidden, G = this.gateWidth, cap = this.capacity;
    const xp = this.xp, hp = this.hp, gates = this.gateValues, c = this.cells, tc = this.cellTanh, h = this.hs;
    for (let r = 0; r < rows; r++) {
      const pre = ((t - 1) * cap + r) * G, rec = r * G;
      const prev = ((t - 1) * cap + r) * H, now = (t * cap + r) * H, at = ((t - 1) * cap + r) * H;
      for (let j = 0; j < H; j++) {
        const i = 1 / (1 + Math.exp(-(xp[pre + j] + hp[rec + j])));
        const f = 1 / (1 + Math.exp(-(xp[pre + H + j] + hp[rec + H + j])));
        const g = Math.tanh(xp[pre + 2 * H + j] + hp[rec + 2 * H + j]);
        const o = 1 / (1 + Math.exp(-(xp[pre + 3 * H + j] + hp[rec + 3 * H + j])));
        gates[pre + j] = i;
        gates[pre + H + j] = f;
        gates[pre + 2 * H + j] = g;
        gates[pre + 3 * H + j] = o;
        const cell = f * c[prev + j] + i * g;
        c[now + j] = cell;
        const th = Math.tanh(cell);
        tc[at + j] = th;
        h[now + j] = o * th;
      }
    }
  }

  protected override beginBackward(rows: number): void {
    this.dc.fill(0, 0, rows * this.hidden);
  }

  protected stepBack(t: number, rows: number): void {
    const H = this.hidden, G = this.gateWidth, cap = this.capacity;
    const gates = this.gateValues, c = this.cells, tc = this.cellTanh, dh = this.dh, dc = this.dc, dG = this.dGx;
    for (let r = 0; r < rows; r++) {
      const pre = ((t - 1) * cap + r) * G, prev = ((t - 1) * cap + r) * H, at = prev, here = r * H;
      for (let j = 0; j < H; j++) {
        const i = gates[pre + j], f = gates[pre + H + j], g = gates[pre + 2 * H + j], o = gates[pre + 3 * H + j];
        const th = tc[at + j], d = dh[here + j];
        const dct = dc[here + j] + d * o * (1 - th * th);
        dG[pre + j] = dct * g * (i * (1 - i));
        dG[pre + H + j] = dct * c[prev + j] * (f * (1 - f));
        dG[pre + 2 * H + j] = dct * i * (1 - g * g);
        dG[pre + 3 * H + j] = d * th * (o * (1 - o));
        dc[here + j] = dct * f;
      }
    }
    this.dhPrev.fill(0, 0, rows * H);
  }
}
