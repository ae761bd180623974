// gru: PyTorch's nn.GRU cell, gates stacked r, z, n (G = 3):
//   r = σ(W_ir·x + b_ir + W_hr·h + b_hr),  z = σ(W_iz·x + b_iz + W_hz·h + b_hz)
//   n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn)),  h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
// The reset gate multiplies the recurrent product of n after its bias, so the two sides'
// pre-activation gradients differ in the n block: with dh = ∂L/∂h_t,
//   dn = dh ⊙ (1 − z) ⊙ (1 − n²),  dz = dh ⊙ (h_{t−1} − n) ⊙ z(1 − z),
//   dr = dn ⊙ (W_hn·h + b_hn) ⊙ r(1 − r);
//   input side [dr, dz, dn], recurrent side [dr, dz, dn ⊙ r];
//   ∂L/∂h_{t−1} = dh ⊙ z + (recurrent side)·W_hh (the product is added by recurrent.ts).

import { allocate, type DType, type Floats } from '../floats';
import type { Tensor } from '../tape';
import { RecurrentOp, type RecurrentGeometry, type RecurrentParams } from './recurrent';

export class GruOp extends RecurrentOp {
  readonly name = 'gru';
  /** The gate values r, z, n of every step, [T, capacity, 3H]. */
  private readonly gateValues: Floats;
  /** W_hn·h_{t−1} + b_hn of every step (n's backward needs it), [T, capacity, H]. */
  private readonly hiddenN: Floats;

  constructor(layer: number, input: Tensor, geometry: RecurrentGeometry, params: RecurrentParams, dtype: DType, capacity: number) {
    super(layer, input, geometry, 3, params, dtype, capacity);
    const slots = geometry.steps * capacity;
    this.gateValues = allocate(dtype, slots * 3 * geometry.hidden);
    this.hiddenN = allocate(dtype, slots * geometry.hidden);
  }

  protected override get separateRecurrentGradient(): boolean {
    return true;
  }

  protected step(t: number, rows: number): void {
    this.recurrentProduct(t, rows);
    const H = this.hidden, G = this.gateWidth, cap = this.capacity;
    const xp = this.xp, hp = this.hp, gates = this.gateValues, hn = this.hiddenN, h = this.hs;
    for (let r = 0; r < rows; r++) {
      const pre = ((t - 1) * cap + r) * G, rec = r * G;
      const prev = ((t - 1) * cap + r) * H, now = (t * cap + r) * H;
      for (let j = 0; j < H; j++) {
        const reset = 1 / (1 + Math.exp(-(xp[pre + j] + hp[rec + j])));
        const update = 1 / (1 + Math.exp(-(xp[pre + H + j] + hp[rec + H + j])));
        const recurrent = hp[rec + 2 * H + j];
        const n = Math.tanh(xp[pre + 2 * H + j] + reset * recurrent);
        gates[pre + j] = reset;
        gates[pre + H + j] = update;
        gates[pre + 2 * H + j] = n;
        hn[prev + j] = recurrent;
        h[now + j] = (1 - update) * n + update * h[prev + j];
      }
    }
  }

  protected stepBack(t: number, rows: number): void {
    const H = this.hidden, G = this.gateWidth, cap = this.capacity;
    const gates = this.gateValues, hn = this.hiddenN, h = this.hs, dh = this.dh;
    const dGx = this.dGx, dGh = this.dGh, direct = this.dhPrev;
    for (let r = 0; r < rows; r++) {
      const pre = ((t - 1) * cap + r) * G, prev = ((t - 1) * cap + r) * H, here = r * H;
      for (let j = 0; j < H; j++) {
        const reset = gates[pre + j], update = gates[pre + H + j], n = gates[pre + 2 * H + j];
        const d = dh[here + j];
        const dn = d * (1 - update) * (1 - n * n);
        const dz = d * (h[prev + j] - n) * (update * (1 - update));
        const dr = dn * hn[prev + j] * (reset * (1 - reset));
        dGx[pre + j] = dr;
        dGx[pre + H + j] = dz;
        dGx[pre + 2 * H + j] = dn;
        dGh[pre + j] = dr;
        dGh[pre + H + j] = dz;
        dGh[pre + 2 * H + j] = dn * reset;
        direct[here + j] = d * update;
      }
    }
  }
}
