// The `.net` language's vocabulary as data: every statement, layer, activation, option,
// init, generator, loss and optimizer, with its type, default, valid range and a one-
// paragraph doc. The checker validates against it, the server's hover and completion
// show it, the grammar and docs/language.md list it. One table, many readers.

import { DEFAULT_THRESHOLDS } from '../protocol/settings';
import { MAX_STEPS } from '../protocol/lsp';
import { ACTIVATION_LIST } from '../kinds/activations';
import { LAYER_WORDS } from '../kinds/layers';
import { activationAlphaOption } from '../kinds/layers/options-alpha';

/** How an option's value is read. `name` is an identifier from `values`; `path` a string. */
export type ValueType = 'number' | 'integer' | 'boolean' | 'name' | 'text' | 'init';

/** A numeric interval; `minExclusive`/`maxExclusive` make that end open. */
export interface ValueRange {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

export interface OptionDoc {
  name: string;
  type: ValueType;
  /** The value used when the option is not written; undefined when it is required or derived. */
  default?: number | boolean | string;
  /** Said in words when the default is derived (e.g. "the whole training set"). */
  defaultText?: string;
  range?: ValueRange;
  /** Allowed identifiers for `type: 'name'`. */
  values?: readonly string[];
  required?: boolean;
  doc: string;
}

export interface ItemDoc {
  name: string;
  /** How it is written, e.g. `dense UNITS [ACT] [init=] [bias=]`. */
  syntax: string;
  doc: string;
}

export interface StatementDoc extends ItemDoc {
  /** At most one per file. */
  singleton: boolean;
  /** Takes a `{ ... }` block. */
  block: boolean;
  options: readonly OptionDoc[];
}

export interface LayerDoc extends ItemDoc {
  /** Parameter tensors and their shapes in words. */
  params: string;
  options: readonly OptionDoc[];
}

export interface ActivationDoc extends ItemDoc {
  /** ReLU family: the default init before it is `he`. */
  reluFamily: boolean;
  /** Bounded, saturating (sigmoid, tanh): what the saturation check watches. */
  saturating: boolean;
  /** `alpha=` for the kinds that take it. */
  options: readonly OptionDoc[];
}

export interface InitDoc extends ItemDoc {
  /** Names of the call's arguments (`normal(mean, std)`); empty for a plain name. */
  args: readonly string[];
}

export interface GeneratorDoc extends ItemDoc {
  task: 'binary' | 'classes' | 'regression';
  /** Fixed feature count, or `features` when the option sets it; per time step when `steps` is set. */
  features: number | 'option';
  /** For sequence data: the option giving the number of time steps T (an example is [T, features]). */
  steps?: string;
  options: readonly OptionDoc[];
}

export interface LossDoc extends ItemDoc {
  options: readonly OptionDoc[];
}

export interface OptimizerDoc extends ItemDoc {
  options: readonly OptionDoc[];
}

const positive: ValueRange = { min: 0, minExclusive: true };
const nonNegative: ValueRange = { min: 0 };
const unitOpen: ValueRange = { min: 0, max: 1, maxExclusive: true };
const atLeastOne: ValueRange = { min: 1 };

/** Largest generated data set: keeps a typo like `n=1e9` from freezing the editor. */
export const MAX_EXAMPLES = 1_000_000;
/**
 * The generators' data lie within a few units: noise beyond this is all noise, and far
 * beyond it (`noise=1e308`) the data itself overflows — an error on `noise`, not a
 * diverged run blamed on the first matmul.
 */
export const MAX_NOISE = 100;
/** Default size of a generated data set. */
export const DEFAULT_EXAMPLES = 200;
/** Default noise of a generated data set. */
export const DEFAULT_NOISE = 0.1;

// ---------------------------------------------------------------- activations

/** Read from the kinds registry (src/kinds/activations/): each kind's own words and traits. */
export const ACTIVATIONS: readonly ActivationDoc[] = ACTIVATION_LIST.map((a) => ({
  name: a.name,
  syntax: a.syntax,
  doc: a.doc,
  reluFamily: a.traits.reluFamily,
  saturating: a.traits.saturation !== null,
  options: a.alpha ? [activationAlphaOption(a.alpha)] : [],
}));

// ---------------------------------------------------------------- layers

/** Every layer word, read from the kinds registry (src/kinds/layers/): each kind's own words, syntax, options and docs. */
export const LAYERS: readonly LayerDoc[] = LAYER_WORDS.map((w) => ({ name: w.name, syntax: w.syntax, params: w.params, options: w.options, doc: w.doc }));

// ---------------------------------------------------------------- inits

export const INITS: readonly InitDoc[] = [
  { name: 'he', syntax: 'he', args: [], doc: 'Kaiming (He) normal: W ~ N(0, 2/in). Keeps the activation variance constant through ReLU layers; the default before ReLU-family activations.' },
  { name: 'xavier', syntax: 'xavier', args: [], doc: 'Glorot (Xavier) uniform: W ~ U(−a, a) with a = √(6/(in + out)). Keeps variance constant through tanh, sigmoid near 0 and linear layers; the default otherwise.' },
  { name: 'lecun', syntax: 'lecun', args: [], doc: 'LeCun normal: W ~ N(0, 1/in). Suited to SELU-style and linear layers.' },
  { name: 'normal', syntax: 'normal(mean, std)', args: ['mean', 'std'], doc: 'Normal distribution with the given mean and standard deviation (std ≥ 0), independent of layer width — a std too large for the width explodes activations, too small makes them vanish.' },
  { name: 'uniform', syntax: 'uniform(low, high)', args: ['low', 'high'], doc: 'Uniform distribution on [low, high] (low ≤ high), independent of layer width.' },
  { name: 'zeros', syntax: 'zeros', args: [], doc: 'All weights zero. Every unit of the layer then computes the same thing and receives the same gradient, so they never differ: use it for experiments only.' },
  { name: 'ones', syntax: 'ones', args: [], doc: 'All weights one. Like zeros, it does not break the symmetry between units.' },
];

// ---------------------------------------------------------------- data

const commonGeneratorOptions: OptionDoc[] = [
  { name: 'n', type: 'integer', default: DEFAULT_EXAMPLES, range: { min: 1, max: MAX_EXAMPLES },
    doc: `Number of examples generated (default ${DEFAULT_EXAMPLES}, at most ${MAX_EXAMPLES}). All of them are training examples.` },
  { name: 'noise', type: 'number', default: DEFAULT_NOISE, range: { min: 0, max: MAX_NOISE },
    doc: `Standard deviation of the Gaussian noise added to the features (regression: to the target), default ${DEFAULT_NOISE}, at most ${MAX_NOISE}.` },
  { name: 'seed', type: 'integer', default: 0, range: nonNegative, doc: 'Seed of the generator; the same seed gives the same data on every machine.' },
];

const classesOption = (def: number): OptionDoc => ({ name: 'classes', type: 'integer', default: def, range: { min: 2, max: 1000 }, doc: `Number of classes (default ${def}).` });
const featuresOption = (def: number): OptionDoc => ({ name: 'features', type: 'integer', default: def, defaultText: `the \`input\` width, or ${def} without one`, range: { min: 1, max: 100_000 }, doc: `Number of features per example (default: the \`input\` width, or ${def} when there is no \`input\`).` });

export const GENERATORS: readonly GeneratorDoc[] = [
  { name: 'xor', syntax: 'data xor [n=] [noise=] [seed=]', task: 'binary', features: 2, options: commonGeneratorOptions,
    doc: 'XOR: points around the four corners of a square, label 1 where exactly one coordinate is positive. Binary, 2 features; not linearly separable, so it needs a hidden layer.' },
  { name: 'circles', syntax: 'data circles [factor=0.5] [n=] [noise=] [seed=]', task: 'binary', features: 2,
    options: [...commonGeneratorOptions, { name: 'factor', type: 'number', default: 0.5, range: { min: 0, max: 1, minExclusive: true, maxExclusive: true }, doc: 'Radius of the inner circle relative to the outer one (0 < factor < 1).' }],
    doc: 'Two concentric circles (as scikit-learn\'s make_circles): label 1 on the inner one. Binary, 2 features.' },
  { name: 'moons', syntax: 'data moons [n=] [noise=] [seed=]', task: 'binary', features: 2, options: commonGeneratorOptions,
    doc: 'Two interleaving half circles (as scikit-learn\'s make_moons). Binary, 2 features.' },
  { name: 'spiral', syntax: 'data spiral [classes=3] [n=] [noise=] [seed=]', task: 'classes', features: 2,
    options: [...commonGeneratorOptions, classesOption(3)],
    doc: 'Interleaved spiral arms, one per class (the CS231n spiral). Multi-class, 2 features; n is the total over all classes.' },
  { name: 'blobs', syntax: 'data blobs [classes=3] [features=2] [n=] [noise=] [seed=]', task: 'classes', features: 'option',
    options: [...commonGeneratorOptions, classesOption(3), featuresOption(2)],
    doc: 'Gaussian blobs, one per class, with random centres (as scikit-learn\'s make_blobs). Multi-class with `features` features; `classes=2` gives integer class targets 0/1, still a `classes` task.' },
  { name: 'checkerboard', syntax: 'data checkerboard [cells=4] [n=] [noise=] [seed=]', task: 'binary', features: 2,
    options: [...commonGeneratorOptions, { name: 'cells', type: 'integer', default: 4, range: { min: 1, max: 1000 }, doc: 'Cells per side of the board (default 4).' }],
    doc: 'Points in the unit square labelled by the colour of their checkerboard cell. Binary, 2 features; hard for a small network.' },
  { name: 'sine', syntax: 'data sine [n=] [noise=] [seed=]', task: 'regression', features: 1, options: commonGeneratorOptions,
    doc: 'Regression of y = sin(x) for x in [−π, π], noise added to y. 1 feature, 1 target.' },
  { name: 'linear', syntax: 'data linear [features=1] [n=] [noise=] [seed=]', task: 'regression', features: 'option',
    options: [...commonGeneratorOptions, featuresOption(1)],
    doc: 'Regression of y = x·w + b for fixed random w and b, noise added to y. `features` features, 1 target.' },
  { name: 'adding', syntax: 'data adding [T=50] [n=] [seed=] [split=0.8]', task: 'regression', features: 2, steps: 'T',
    options: [commonGeneratorOptions[0], commonGeneratorOptions[2],
      { name: 'T', type: 'integer', default: 50, range: { min: 2, max: 10_000 }, doc: 'Time steps per sequence (default 50).' },
      { name: 'split', type: 'number', default: 0.8, range: { min: 0, max: 1, minExclusive: true }, doc: 'Fraction of the n examples used for training, floor(n·split); the rest is the validation set (default 0.8; 1 means none).' }],
    doc: 'The adding problem (Hochreiter & Schmidhuber, 1997): a sequence [T, 2] of a value uniform in [0, 1] and a marker per step; two steps are marked, one in each half, and the target is the sum of their two values. Regression, 1 target; always predicting the mean 1 scores an MSE of 1/6 ≈ 0.167. Solving it means carrying a value across up to T steps: a test of gradients through time.' },
];

export const CSV_OPTIONS: readonly OptionDoc[] = [
  { name: 'target', type: 'text', required: true, doc: 'Name of the label column (a name or a "quoted string"). Every other column is a feature.' },
  { name: 'normalize', type: 'boolean', default: true, doc: 'Standardise each feature to mean 0 and standard deviation 1 (statistics of the training rows).' },
  { name: 'split', type: 'number', default: 0.8, range: { min: 0, max: 1, minExclusive: true }, doc: 'Fraction of rows used for training: floor(n·split) rows after a shuffle with `seed`; the rest is the validation set. 1 means no validation set.' },
  { name: 'seed', type: 'integer', default: 0, range: nonNegative, doc: 'Seed of the shuffle before the train/validation split (default 0).' },
  { name: 'header', type: 'boolean', default: true, doc: 'Whether the first line holds the column names. Without a header, columns are named by their 1-based position (`target=3`).' },
  { name: 'task', type: 'name', values: ['classes', 'regression'], defaultText: 'regression when every target value is a number, classes otherwise',
    doc: 'What the target is. By default a target column of numbers is a regression target and anything else names classes (sorted labels, index order); `task=classes` makes integer labels classes.' },
];

// ---------------------------------------------------------------- losses

export const LOSSES: readonly LossDoc[] = [
  { name: 'mse', syntax: 'loss mse', options: [], doc: 'Mean squared error over every output element (PyTorch MSELoss, reduction mean). For regression; the last layer\'s width must equal the number of targets.' },
  { name: 'mae', syntax: 'loss mae', options: [], doc: 'Mean absolute error (PyTorch L1Loss). For regression, robust to outliers.' },
  { name: 'huber', syntax: 'loss huber [delta=1]', options: [{ name: 'delta', type: 'number', default: 1, range: positive, doc: 'Where the loss changes from quadratic to linear.' }],
    doc: 'Huber loss (PyTorch HuberLoss): quadratic for errors below delta, linear above. For regression.' },
  { name: 'bce', syntax: 'loss bce', options: [], doc: 'Binary cross-entropy on probabilities (PyTorch BCELoss) with targets 0/1. The network must end in a width-1 layer with a sigmoid.' },
  { name: 'cross_entropy', syntax: 'loss cross_entropy', options: [], doc: 'Cross-entropy on logits with integer class targets (PyTorch CrossEntropyLoss). The last layer\'s width must equal the number of classes, with no softmax: the loss applies log-softmax itself.' },
];

// ---------------------------------------------------------------- optimizers

const lrOption = (def: number): OptionDoc => ({ name: 'lr', type: 'number', default: def, range: positive, doc: `Learning rate (default ${def}).` });
const weightDecayOption: OptionDoc = { name: 'weight_decay', type: 'number', default: 0, range: nonNegative, doc: 'L2 penalty added to the gradient (weight_decay·W), as in torch.optim.' };
const clipOption: OptionDoc = { name: 'clip', type: 'number', range: positive, defaultText: 'no clipping',
  doc: 'Clip the global L2 norm of all gradients to this value before each step (torch.nn.utils.clip_grad_norm_). A remedy for exploding gradients.' };
const optimizerEps: OptionDoc = { name: 'eps', type: 'number', default: 1e-8, range: positive, doc: 'Added to the denominator for numerical stability.' };

export const OPTIMIZERS: readonly OptimizerDoc[] = [
  { name: 'sgd', syntax: 'optimizer sgd [lr=0.01] [momentum=0] [nesterov=false] [weight_decay=0] [clip=]',
    options: [
      lrOption(0.01),
      { name: 'momentum', type: 'number', default: 0, range: unitOpen, doc: 'Momentum μ: the buffer v = μ·v + g is used as the step (torch.optim.SGD).' },
      { name: 'nesterov', type: 'boolean', default: false, doc: 'Use Nesterov momentum as torch does (needs momentum > 0).' },
      weightDecayOption,
      clipOption,
    ],
    doc: 'Stochastic gradient descent, as torch.optim.SGD: W ← W − lr·g, optionally with momentum. The default optimizer, `optimizer sgd lr=0.01`.' },
  { name: 'adam', syntax: 'optimizer adam [lr=0.001] [beta1=0.9] [beta2=0.999] [eps=1e-8] [weight_decay=0] [clip=]',
    options: [
      lrOption(0.001),
      { name: 'beta1', type: 'number', default: 0.9, range: unitOpen, doc: 'Decay of the running mean of gradients.' },
      { name: 'beta2', type: 'number', default: 0.999, range: unitOpen, doc: 'Decay of the running mean of squared gradients.' },
      optimizerEps,
      weightDecayOption,
      clipOption,
    ],
    doc: 'Adam with bias correction, as torch.optim.Adam (L2 weight_decay added to the gradient). Adapts each parameter\'s step size; a good default at lr=0.001.' },
  { name: 'rmsprop', syntax: 'optimizer rmsprop [lr=0.01] [decay=0.99] [eps=1e-8] [weight_decay=0] [clip=]',
    options: [
      lrOption(0.01),
      { name: 'decay', type: 'number', default: 0.99, range: unitOpen, doc: 'Decay of the running mean of squared gradients (torch\'s alpha).' },
      optimizerEps,
      weightDecayOption,
      clipOption,
    ],
    doc: 'RMSprop as torch.optim.RMSprop (alpha = decay, eps outside the square root): divides each step by a running RMS of the gradient.' },
];

// ---------------------------------------------------------------- train and watch

export const TRAIN_OPTIONS: readonly OptionDoc[] = [
  { name: 'epochs', type: 'integer', default: 100, range: { min: 1, max: 1_000_000 }, doc: 'Passes over the training set (default 100).' },
  { name: 'batch', type: 'integer', range: atLeastOne, defaultText: 'the whole training set', doc: 'Examples per step. Each epoch shuffles with the seed and takes consecutive slices; the last short batch is kept. Default: the whole training set (full-batch gradient descent).' },
  { name: 'seed', type: 'integer', default: 0, range: nonNegative, doc: 'Seed for the initial weights and the shuffling (default 0); the same seed gives bit-identical runs.' },
  { name: 'steps', type: 'integer', range: { min: 1, max: MAX_STEPS }, defaultText: 'epochs decide', doc: 'Stop after this many optimizer steps; overrides epochs.' },
];

/**
 * Names match `Thresholds` in spec.ts and the `gradlens.thresholds.*` settings; the
 * defaults are the settings' own (docs/gradient-health.md justifies them), read from the
 * one place they are defined so the two never drift apart.
 */
const T = DEFAULT_THRESHOLDS;
export const WATCH_OPTIONS: readonly OptionDoc[] = [
  { name: 'vanishingRatio', type: 'number', default: T.vanishingRatio, range: { min: 0, max: 1, minExclusive: true, maxExclusive: true },
    doc: `A layer whose gradient is below this fraction of the layers after it is flagged vanishing (default ${T.vanishingRatio}).` },
  { name: 'explodingRatio', type: 'number', default: T.explodingRatio, range: { min: 1, minExclusive: true },
    doc: `A layer whose gradient is above this multiple of the layers after it (gain rising toward the input) is flagged exploding (default ${T.explodingRatio}).` },
  { name: 'updateRatioLow', type: 'number', default: T.updateRatioLow, doc: `log10 of the update-to-weight ratio below which a layer is barely learning (default ${T.updateRatioLow}).` },
  { name: 'updateRatioHigh', type: 'number', default: T.updateRatioHigh, doc: `log10 of the update-to-weight ratio above which a step rewrites too much of the weights (default ${T.updateRatioHigh}).` },
  { name: 'deadFraction', type: 'number', default: T.deadFraction, range: { min: 0, max: 1, minExclusive: true },
    doc: `Fraction of a ReLU layer's units that are zero for every example above which it is flagged dead-relu (default ${T.deadFraction}).` },
  { name: 'saturatedFraction', type: 'number', default: T.saturatedFraction, range: { min: 0, max: 1, minExclusive: true },
    doc: `Fraction of sigmoid/tanh unit-activations saturated above which a layer is flagged (default ${T.saturatedFraction}).` },
  { name: 'lossWindow', type: 'integer', default: T.lossWindow, range: atLeastOne, doc: `Full runs: a layer is flagged when its condition holds in most steps of a window of this many steps (the finding says during which steps, and whether it recovered); also the steps without improvement before loss-not-decreasing (default ${T.lossWindow}).` },
];

// ---------------------------------------------------------------- statements

export const STATEMENTS: readonly StatementDoc[] = [
  { name: 'model', syntax: 'model NAME', singleton: true, block: false, options: [], doc: 'Names the network; the name is shown in the inspector. Optional.' },
  { name: 'data', syntax: 'data GENERATOR [opts] | data "file.csv" target=COL [opts]', singleton: true, block: false, options: CSV_OPTIONS,
    doc: 'Where the examples come from: a built-in generator (xor, circles, moons, spiral, blobs, checkerboard, sine, linear, adding) or a CSV file, its path relative to the .net file and inside the workspace. The data decides the input width, the task and the default loss.' },
  { name: 'input', syntax: 'input N', singleton: true, block: false, options: [], doc: 'Width of one example (its number of features); must match the data.' },
  { name: 'repeat', syntax: 'repeat N { ... }', singleton: false, block: true, options: [],
    doc: 'The block N times in sequence (N ≥ 1). Layer labels inside get the suffixes _1 … _N; default names keep counting (dense1, dense2, …).' },
  { name: 'residual', syntax: 'residual { ... }', singleton: false, block: true, options: [],
    doc: 'A skip connection, y = x + block(x). The block must keep the width; gradients then reach early layers through the identity path.' },
  { name: 'loss', syntax: 'loss KIND [opts]', singleton: true, block: false, options: [],
    doc: 'The loss: mse, mae, huber, bce or cross_entropy. Default from the data: classes → cross_entropy, binary → bce, regression → mse.' },
  { name: 'optimizer', syntax: 'optimizer KIND [opts]', singleton: true, block: false, options: [],
    doc: 'The optimizer: sgd, adam or rmsprop, each as in torch.optim; any of them takes clip=. Default `optimizer sgd lr=0.01`.' },
  { name: 'train', syntax: 'train [epochs=100] [batch=] [seed=0] [steps=]', singleton: true, block: false, options: TRAIN_OPTIONS,
    doc: 'How long and in which batches to train. Default `train epochs=100` with the whole training set as one batch and seed 0.' },
  { name: 'watch', syntax: 'watch [vanishingRatio=] [explodingRatio=] …', singleton: true, block: false, options: WATCH_OPTIONS,
    doc: 'Per-file overrides of the gradient-health thresholds (names as in the gradlens.thresholds.* settings).' },
  { name: 'weights', syntax: 'weights "file.json"', singleton: true, block: false, options: [],
    doc: 'Start from these weights instead of the init: a JSON file in the layout `gradlens grads --json` prints ({"layers": [{"name", "params": [{"name", "shape", "value"}]}]}), its path relative to the .net file. The probe, training, `gradlens grads` and the gradient check all start from them. A tensor whose layer, name or shape does not fit the network is a warning and starts from its init.' },
];

/** The whole vocabulary, for readers that want one import. */
export const VOCABULARY = {
  statements: STATEMENTS,
  layers: LAYERS,
  activations: ACTIVATIONS,
  inits: INITS,
  generators: GENERATORS,
  csvOptions: CSV_OPTIONS,
  losses: LOSSES,
  optimizers: OPTIMIZERS,
  trainOptions: TRAIN_OPTIONS,
  watchOptions: WATCH_OPTIONS,
} as const;

export function findStatement(name: string): StatementDoc | undefined {
  return STATEMENTS.find((s) => s.name === name);
}
export function findLayer(name: string): LayerDoc | undefined {
  return LAYERS.find((l) => l.name === name);
}
export function findActivation(name: string): ActivationDoc | undefined {
  return ACTIVATIONS.find((a) => a.name === name);
}
export function findInit(name: string): InitDoc | undefined {
  return INITS.find((i) => i.name === name);
}
export function findGenerator(name: string): GeneratorDoc | undefined {
  return GENERATORS.find((g) => g.name === name);
}
export function findLoss(name: string): LossDoc | undefined {
  return LOSSES.find((l) => l.name === name);
}
export function findOptimizer(name: string): OptimizerDoc | undefined {
  return OPTIMIZERS.find((o) => o.name === name);
}

/** Every word with a doc, for hover: statements, layers, inits, generators, losses, optimizers. */
export function docFor(word: string): ItemDoc | undefined {
  return findStatement(word) ?? findLayer(word) ?? findInit(word) ?? findGenerator(word) ?? findLoss(word) ?? findOptimizer(word);
}
