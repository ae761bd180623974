// Variants of the examples that raise each flag, for measuring and testing the quick fixes
// (test/analysis/measure-fixes.ts, test/analysis/fixes.test.ts). Data and sizes stay those of
// the examples so a probe takes milliseconds.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const exploding = (over: { init?: string; act?: string; depth?: number; optimizer?: string; out?: string } = {}) => `data blobs n=256 classes=4 features=16 noise=1 seed=2
input 16
repeat ${over.depth ?? 10} {
  dense 32 ${over.act ?? 'tanh'} init=${over.init ?? 'normal(0, 3)'}
}
out: dense 4${over.out ?? ''}
loss cross_entropy

optimizer ${over.optimizer ?? 'sgd lr=0.01'}
train epochs=30 batch=64 seed=0
`;

const deep = (over: { layer?: string; depth?: number; optimizer?: string } = {}) => `data blobs n=512 classes=2 features=32 seed=3
input 32
repeat ${over.depth ?? 12} {
  ${over.layer ?? 'dense 32 sigmoid init=normal(0, 1)'}
}
dense 1 sigmoid
loss bce

optimizer ${over.optimizer ?? 'sgd lr=0.1'}
train epochs=50 batch=64
`;

const spiral = (over: { h1?: string; h2?: string; out?: string; optimizer?: string } = {}) => `data spiral n=300 classes=3 noise=0.2 seed=1
input 2
h1: ${over.h1 ?? 'dense 64 relu init=he'}
h2: ${over.h2 ?? 'dense 64 relu init=he'}
out: ${over.out ?? 'dense 3'}
loss cross_entropy

optimizer ${over.optimizer ?? 'adam lr=0.01'}
train epochs=200 batch=32 seed=7
`;

export const FIX_VARIANTS: Record<string, string> = {
  // Saturation and vanishing through other saturating stacks.
  'deep-tanh.net': deep({ layer: 'dense 32 tanh init=normal(0, 1)' }),
  'deep-sigmoid-standalone.net': deep({ layer: 'dense 32 init=normal(0, 1)\n  sigmoid' }),
  'deep-sigmoid-xavier.net': deep({ layer: 'dense 32 sigmoid init=xavier' }),
  'deep-sigmoid-adam.net': deep({ optimizer: 'adam lr=0.01' }),
  // Vanishing through too-small weights on ReLU.
  'deep-relu-small.net': deep({ layer: 'dense 32 relu init=normal(0, 0.01)' }),
  // Exploding: other activations, depths, optimizers.
  'exploding-relu.net': exploding({ act: 'relu', init: 'normal(0, 1)' }),
  'exploding-linear.net': exploding({ act: '', init: 'normal(0, 1)' }),
  'exploding-tanh-he.net': exploding({ init: 'he' }),
  'exploding-deep.net': exploding({ depth: 16 }),
  'exploding-adam.net': exploding({ optimizer: 'adam lr=0.01' }),
  'exploding-sigmoid.net': exploding({ act: 'sigmoid', init: 'normal(0, 8)' }),
  // Diverging: NaN/Inf within the probe.
  'diverging-spiral.net': spiral({ optimizer: 'sgd lr=1000' }),
  'diverging-exploding.net': exploding({ optimizer: 'sgd lr=100' }),
  'diverging-relu.net': exploding({ act: 'relu', init: 'he', optimizer: 'sgd lr=10' }),
  // Update ratios.
  'spiral-lr-high.net': spiral({ optimizer: 'adam lr=1' }),
  'spiral-sgd-lr-high.net': spiral({ optimizer: 'sgd lr=5' }),
  'spiral-lr-low.net': spiral({ optimizer: 'adam lr=0.000001' }),
  'spiral-sgd-lr-low.net': spiral({ optimizer: 'sgd lr=0.00001' }),
  // Dead ReLUs.
  'spiral-dead.net': spiral({ h1: 'dense 64 relu init=normal(-1, 0.1)', h2: 'dense 64 relu init=normal(-1, 0.1)' }),
  // Softmax before cross_entropy.
  'spiral-softmax.net': spiral({ out: 'dense 3 softmax' }),
};

// Standalone activations: a layernorm can go between the dense layer and its activation.
FIX_VARIANTS['exploding-standalone.net'] = exploding({ act: '', init: 'normal(0, 3)\n  tanh' });
FIX_VARIANTS['deep-tanh-standalone.net'] = deep({ layer: 'dense 32 init=normal(0, 1)\n  tanh' });
FIX_VARIANTS['deep-relu-small-standalone.net'] = deep({ layer: 'dense 32 init=normal(0, 0.01)\n  relu' });

// Issue 10: init-scale explosions the relative rule missed (‖∇W‖ flat across depth), and
// collapses named by their cause.
FIX_VARIANTS['init-scale-relu.net'] = exploding({ act: 'relu', init: 'normal(0, 0.5)', depth: 8 }).replace(/dense 32/, 'dense 64');
FIX_VARIANTS['init-scale-leaky.net'] = exploding({ act: 'leaky_relu', init: 'uniform(-1, 1)', depth: 6 }).replace(/dense 32/, 'dense 128');
FIX_VARIANTS['init-scale-linear.net'] = exploding({ act: '', init: 'normal(0, 1.5)', depth: 8 });
FIX_VARIANTS['init-small-relu.net'] = exploding({ act: 'relu', init: 'normal(0, 0.02)', depth: 8 });
FIX_VARIANTS['lr-dead.net'] = `data moons n=200 noise=0.1 seed=1
input 2
dense 16 relu
dense 16 relu
dense 1 sigmoid
loss bce
optimizer sgd lr=40
train epochs=30 batch=32 seed=0
`;
FIX_VARIANTS['zeros.net'] = spiral({ h1: 'dense 64 tanh init=zeros', h2: 'dense 64 tanh init=zeros' });
// A CSV with features in the thousands read with normalize=false (bench/health/data/houses.csv).
const houses = (hidden: string, optimizer: string) => `data "../bench/health/data/houses.csv" target=label normalize=false seed=0
input 4
h1: ${hidden}
h2: ${hidden}
out: dense 3
loss cross_entropy
optimizer ${optimizer}
train epochs=200 batch=32 seed=7
`;
FIX_VARIANTS['unnormalised-relu.net'] = houses('dense 64 relu init=he', 'sgd lr=0.01');
FIX_VARIANTS['unnormalised-tanh.net'] = houses('dense 32 tanh', 'adam lr=0.01');

// Convolution stacks: the init judged at PyTorch's fans (C·K·K), the fix naming the stds it gives.
const conv = (init: string, kind: 'conv2d' | 'conv1d' = 'conv2d') => `data blobs n=256 classes=4 features=64 noise=1 seed=2
input ${kind === 'conv2d' ? '1 8 8' : '32 2'}
repeat 6 {
  ${kind} 8 kernel=3 padding=1 relu init=${init}
}
flatten
out: dense 4
loss cross_entropy

optimizer sgd lr=0.01
train epochs=30 batch=64 seed=0
`;
FIX_VARIANTS['conv2d-large-init.net'] = conv('normal(0, 1)');
FIX_VARIANTS['conv2d-small-init.net'] = conv('normal(0, 0.01)');
FIX_VARIANTS['conv1d-large-init.net'] = conv('normal(0, 1)', 'conv1d');

// A narrow deep ReLU stack at He init (vanishing, and born dead at width 2): widening is the fix.
// A norm layer after weights with a large init: its γ flagged, the matched init the fix; a norm
// after a ReLU (at He, or at normal(0, 1) with γ flagged): the norm moved before the activation.
for (const name of ['narrow-relu-d20-w8', 'narrow-relu-d20-w2', 'norm-init-large-batchnorm', 'norm-after-relu-layernorm']) {
  FIX_VARIANTS[`${name}.net`] = readFileSync(join(__dirname, '..', '..', 'bench', 'health', `${name}.net`), 'utf8');
}
FIX_VARIANTS['norm-after-relu-large-init.net'] = FIX_VARIANTS['norm-after-relu-layernorm.net'].replace('relu init=he', 'relu init=normal(0, 1)');
