// rnn H, lstm H, gru H over sequences [T, F], as PyTorch's single-layer batch-first nn.RNN
// (tanh), nn.LSTM (gates i, f, g, o), nn.GRU (gates r, z, n): W_ih [G·H, F], W_hh [G·H, H],
// b_ih, b_hh [G·H] with G = 1, 4, 3; h₀ = c₀ = 0; output the last hidden state [H], or every
// one, [T, H], with sequences=true. Default init U(−1/√H, 1/√H) as PyTorch's.
// Forward and backward: engine/ops/rnn.ts, lstm.ts, gru.ts over recurrent.ts (back-propagation
// through time).

import type { InitSpec } from '../../lang/spec';
import { defineLayer, describeShape, type LayerKindDef } from '../layer';
import { GruOp } from '../../engine/ops/gru';
import { LstmOp } from '../../engine/ops/lstm';
import { RnnOp } from '../../engine/ops/rnn';
import { recurrentDefault } from '../../engine/init';
import { BIAS_OPTION } from './options';
import type { OptionDoc } from '../../lang/vocabulary';

interface RecurrentSettings { hidden: number; sequences: boolean; init?: InitSpec; bias: boolean }

/** Over a sequence [steps, features]; output [hidden], or [steps, hidden] with `sequences`. */
export interface RecurrentFields {
  steps: number;
  features: number;
  hidden: number;
  sequences: boolean;
  /** Of W_ih and W_hh (fan-in F and H); PyTorch's default is uniform(−1/√H, 1/√H). The biases always get that default. */
  init: InitSpec;
  bias: boolean;
}

const SEQUENCES_OPTION: OptionDoc = { name: 'sequences', type: 'boolean', default: false,
  doc: 'false: the output is the last hidden state, a vector [H]; true: every hidden state, a sequence [T, H] (for a recurrent layer or conv1d after it).' };
const DEFAULT_INIT_TEXT = 'uniform(−1/√H, 1/√H), as PyTorch';
const RECURRENT_INIT: OptionDoc = { name: 'init', type: 'init', defaultText: DEFAULT_INIT_TEXT,
  doc: 'How W_ih and W_hh start; the default is PyTorch\'s uniform(−1/√H, 1/√H) for every parameter, biases included. A written init applies to the two weight matrices; the biases keep the default.' };

function recurrent<K extends 'rnn' | 'lstm' | 'gru'>(kind: K, gates: number, what: string): LayerKindDef<RecurrentSettings, RecurrentFields, K> {
  return defineLayer<RecurrentSettings, RecurrentFields, K>({
    name: kind,
    syntax: `${kind} H [sequences=false] [init=] [bias=true|false]`,
    params: gates === 1 ? 'W_ih [H, F], W_hh [H, H], b_ih [H], b_hh [H]' : `W_ih [${gates}H, F], W_hh [${gates}H, H], b_ih [${gates}H], b_hh [${gates}H]`,
    doc: `${what} with H hidden units over a sequence [T, F], as PyTorch's batch-first single-layer module with h₀ = 0; the output is the last hidden state [H], or every hidden state [T, H] with sequences=true. Trained by back-propagation through time; GradLens records ‖∂L/∂h_t‖ for every step t.`,
    options: [SEQUENCES_OPTION, RECURRENT_INIT, BIAS_OPTION],
    traits: { hasWeights: true, recurrent: true, perChannelUnits: false, activationOnly: false, affine: false },
    read(ctx) {
      ctx.extraArgs(1, `${kind} H`);
      const hidden = ctx.integer(0, 'hidden units', 1, `${kind} 32`);
      if (hidden === undefined) return undefined;
      return {
        hidden,
        sequences: (ctx.values.get('sequences') as boolean | undefined) ?? false,
        init: ctx.values.get('init') as InitSpec | undefined,
        bias: (ctx.values.get('bias') as boolean | undefined) ?? true,
      };
    },
    shape(input, p) {
      if (input.length !== 2) return { error: `\`${kind}\` takes a sequence [T, F]; its input is ${describeShape(input)}.` };
      const [t, f] = input, g = gates * p.hidden;
      return {
        output: p.sequences ? [t, p.hidden] : [p.hidden],
        params: [
          { name: 'W_ih', shape: [g, f] }, { name: 'W_hh', shape: [g, p.hidden] },
          ...(p.bias ? [{ name: 'b_ih' as const, shape: [g] }, { name: 'b_hh' as const, shape: [g] }] : []),
        ],
      };
    },
    leaf: (p, [steps, features]) => ({ steps, features, hidden: p.hidden, sequences: p.sequences, bias: p.bias }),
    init: (p) => p.init ?? recurrentDefault(p.hidden),
    defaultInitText: DEFAULT_INIT_TEXT,
    label: (leaf) => (leaf.sequences ? `${kind} sequences` : kind),
    build(layer, x, ctx) {
      // W_ih, W_hh, b_ih, b_hh in PyTorch's order of creation and initialisation.
      const { steps, features, hidden, sequences } = layer, rows = gates * hidden;
      const wIh = ctx.param('W_ih');
      ctx.init(wIh, features, rows, layer.init);
      const wHh = ctx.param('W_hh');
      ctx.init(wHh, hidden, rows, layer.init);
      let bIh = null, bHh = null;
      if (layer.bias) {
        bIh = ctx.param('b_ih');
        bHh = ctx.param('b_hh');
        ctx.init(bIh, hidden, rows, recurrentDefault(hidden));
        ctx.init(bHh, hidden, rows, recurrentDefault(hidden));
      }
      const geometry = { steps, features, hidden, sequences }, params = { wIh, wHh, bIh, bHh };
      const Cell = kind === 'rnn' ? RnnOp : kind === 'lstm' ? LstmOp : GruOp;
      return new Cell(layer.index, x, geometry, params, ctx.dtype, ctx.capacity);
    },
    // Per step: the input and its gradient, the input-side gate products and their gradients
    // (gru a recurrent-side copy too), the gate values, the hidden (and cell) states.
    valuesPerExample: (layer) => 2 * layer.outputWidth + layer.steps * (2 * layer.features + (kind === 'gru' ? 4 : 3) * gates * layer.hidden + 3 * layer.hidden),
    pytorch: {
      module: (leaf, py) => `${kind.toUpperCase()}(${leaf.features}, ${leaf.hidden}, ${py(leaf.sequences)}${leaf.bias ? '' : ', bias=False'})`,
      // The written init (default U(−1/√H, 1/√H)) on both weight matrices; the biases keep
      // PyTorch's U(−1/√H, 1/√H), as the engine's.
      weights: (leaf) => ({ attributes: ['weight_ih_l0', 'weight_hh_l0'], init: leaf.init, zeroBias: false }),
      helpers: () => ['recurrent'],
    },
    gradcheck: [
      { input: 'input 4 3', lines: [`${kind} 5`] },
      { input: 'input 3 2', lines: [`${kind} 3 sequences=true`, 'flatten'] },
    ],
  });
}

export const rnn = recurrent('rnn', 1, 'Elman recurrent layer h_t = tanh(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh) (nn.RNN)');
export const lstm = recurrent('lstm', 4, 'Long short-term memory (nn.LSTM; gates i, f, g, o; c₀ = 0): its cell state carries gradients across many steps');
export const gru = recurrent('gru', 3, 'Gated recurrent unit (nn.GRU; gates r, z, n with n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn)))');
