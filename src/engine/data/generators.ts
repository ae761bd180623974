// The built-in data generators of the language (docs/language.md). Each one is a pure function of its
// options and seed: the same `data` statement gives the same examples everywhere.
// Shapes follow scikit-learn's make_circles / make_moons / make_blobs and CS231n's
// spiral, so a reader who knows those pictures knows these.

import type { GeneratorData, GeneratorKind, Task } from '../../lang/spec';
import type { Dataset } from './dataset';
import { seededRandom, shuffledIndices, type DataRandom } from './random';

/** Defaults for the generator-specific options, used when the spec leaves one out. */
export const GENERATOR_DEFAULTS: Record<GeneratorKind, Record<string, number>> = {
  xor: {},
  circles: { factor: 0.5 },
  moons: {},
  spiral: { classes: 3 },
  blobs: { classes: 3, features: 2 },
  checkerboard: { cells: 4 },
  sine: {},
  linear: { features: 1 },
  adding: { T: 50, split: 0.8 },
};

/** Examples before shuffling: feature rows and one target (label or value) per row. */
interface Examples {
  task: Task;
  classes: number;
  rows: number[][];
  targets: number[];
}

type Generator = (n: number, noise: number, options: Record<string, number>, random: DataRandom) => Examples;

/** Labels 0, 1, …, k-1 repeated, so every class gets n/k examples (the first n mod k get one more). */
function balancedLabel(i: number, classes: number): number {
  return i % classes;
}

/** The four corners (±1, ±1); label 1 where the signs differ. */
const xor: Generator = (n, noise, _options, random) => {
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    const corner = i % 4;
    const a = corner & 1 ? 1 : -1;
    const b = corner & 2 ? 1 : -1;
    rows.push([a + noise * random.normal(), b + noise * random.normal()]);
    targets.push(a === b ? 0 : 1);
  }
  return { task: 'binary', classes: 2, rows, targets };
};

/** An outer circle of radius 1 (label 0) around an inner one of radius `factor` (label 1). */
const circles: Generator = (n, noise, options, random) => {
  const factor = options.factor ?? GENERATOR_DEFAULTS.circles.factor!;
  const outer = Math.ceil(n / 2);
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    const inner = i >= outer;
    const count = inner ? n - outer : outer;
    const angle = (2 * Math.PI * (inner ? i - outer : i)) / count;
    const radius = inner ? factor : 1;
    rows.push([radius * Math.cos(angle) + noise * random.normal(), radius * Math.sin(angle) + noise * random.normal()]);
    targets.push(inner ? 1 : 0);
  }
  return { task: 'binary', classes: 2, rows, targets };
};

/** Two interleaved half circles (scikit-learn's make_moons). */
const moons: Generator = (n, noise, _options, random) => {
  const upper = Math.ceil(n / 2);
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    const lower = i >= upper;
    const count = lower ? n - upper : upper;
    const t = (Math.PI * (lower ? i - upper : i)) / Math.max(1, count - 1);
    const x = lower ? 1 - Math.cos(t) : Math.cos(t);
    const y = lower ? 0.5 - Math.sin(t) : Math.sin(t);
    rows.push([x + noise * random.normal(), y + noise * random.normal()]);
    targets.push(lower ? 1 : 0);
  }
  return { task: 'binary', classes: 2, rows, targets };
};

/**
 * `classes` arms winding out from the origin (CS231n): arm k has radius r ∈ [0, 1] and
 * angle 4k + 4r. Unlike the course notes (noise on the angle), `noise` moves the point,
 * as for every other generator.
 */
const spiral: Generator = (n, noise, options, random) => {
  const classes = options.classes ?? GENERATOR_DEFAULTS.spiral.classes!;
  const perClass = Array.from({ length: classes }, (_, k) => Math.floor(n / classes) + (k < n % classes ? 1 : 0));
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let k = 0; k < classes; k++) {
    const count = perClass[k]!;
    for (let j = 0; j < count; j++) {
      const r = count > 1 ? j / (count - 1) : 0;
      const angle = 4 * k + 4 * r;
      rows.push([r * Math.sin(angle) + noise * random.normal(), r * Math.cos(angle) + noise * random.normal()]);
      targets.push(k);
    }
  }
  return { task: 'classes', classes, rows, targets };
};

/** Gaussian clusters with standard deviation `noise` around centres drawn uniformly in [-1, 1]^features. */
const blobs: Generator = (n, noise, options, random) => {
  const classes = options.classes ?? GENERATOR_DEFAULTS.blobs.classes!;
  const features = options.features ?? GENERATOR_DEFAULTS.blobs.features!;
  const centres = Array.from({ length: classes }, () => Array.from({ length: features }, () => random.between(-1, 1)));
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = balancedLabel(i, classes);
    rows.push(centres[label]!.map((c) => c + noise * random.normal()));
    targets.push(label);
  }
  return { task: 'classes', classes, rows, targets };
};

/**
 * Points uniform in [-1, 1]², labelled by the colour of their square on a `cells`×`cells`
 * board; `noise` moves the point after labelling, so it blurs the borders.
 */
const checkerboard: Generator = (n, noise, options, random) => {
  const cells = options.cells ?? GENERATOR_DEFAULTS.checkerboard.cells!;
  const cellOf = (v: number): number => Math.min(cells - 1, Math.floor(((v + 1) / 2) * cells));
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = random.between(-1, 1);
    const y = random.between(-1, 1);
    rows.push([x + noise * random.normal(), y + noise * random.normal()]);
    targets.push((cellOf(x) + cellOf(y)) % 2);
  }
  return { task: 'binary', classes: 2, rows, targets };
};

/** y = sin(x) + noise·ε for x uniform in [-π, π]. */
const sine: Generator = (n, noise, _options, random) => {
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = random.between(-Math.PI, Math.PI);
    rows.push([x]);
    targets.push(Math.sin(x) + noise * random.normal());
  }
  return { task: 'regression', classes: 0, rows, targets };
};

/** y = x·w + b + noise·ε with x and the hidden w and b standard normal. */
const linear: Generator = (n, noise, options, random) => {
  const features = options.features ?? GENERATOR_DEFAULTS.linear.features!;
  const weights = Array.from({ length: features }, () => random.normal());
  const bias = random.normal();
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: features }, () => random.normal());
    rows.push(row);
    targets.push(row.reduce((sum, v, j) => sum + v * weights[j]!, bias) + noise * random.normal());
  }
  return { task: 'regression', classes: 0, rows, targets };
};

/**
 * The adding problem (Hochreiter & Schmidhuber 1997, in the form of Le, Jaitly & Hinton
 * 2015): T steps of [value uniform in [0, 1], marker]; one step in each half is marked
 * (marker 1) and the target is the sum of their values. Row-major [T, 2] per example. The
 * target has variance 2/12, so predicting its mean 1 scores an MSE of 1/6. No noise; the
 * `split` option (default 0.8) holds out a validation set.
 */
const adding: Generator = (n, _noise, options, random) => {
  const steps = options.T ?? GENERATOR_DEFAULTS.adding.T!;
  const half = Math.floor(steps / 2);
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(2 * steps).fill(0);
    for (let t = 0; t < steps; t++) row[2 * t] = random.uniform();
    const first = random.int(half), second = half + random.int(steps - half);
    row[2 * first + 1] = 1;
    row[2 * second + 1] = 1;
    rows.push(row);
    targets.push(row[2 * first] + row[2 * second]);
  }
  return { task: 'regression', classes: 0, rows, targets };
};

const GENERATORS: Record<GeneratorKind, Generator> = { xor, circles, moons, spiral, blobs, checkerboard, sine, linear, adding };

/** The examples of a built-in generator, in a seeded random order (no validation split). */
export function generate(spec: GeneratorData): Dataset {
  const random = seededRandom(spec.seed);
  const examples = GENERATORS[spec.generator](spec.n, spec.noise, spec.options, random);
  const features = examples.rows[0]?.length ?? featuresOf(spec);
  const order = shuffledIndices(examples.rows.length, random);
  const x = new Float64Array(order.length * features);
  const y = new Float64Array(order.length);
  order.forEach((from, to) => {
    x.set(examples.rows[from]!, to * features);
    y[to] = examples.targets[from]!;
  });
  // A `split` option (adding) holds out the shuffled tail as the validation set.
  const split = spec.options.split;
  const trainSize = split !== undefined && split < 1 ? Math.max(1, Math.floor(order.length * split)) : order.length;
  const validation = trainSize < order.length
    ? { validation: { x: x.slice(trainSize * features), y: y.slice(trainSize), n: order.length - trainSize } }
    : {};
  return {
    task: examples.task,
    features,
    classes: examples.classes,
    targetWidth: 1,
    train: { x: trainSize < order.length ? x.slice(0, trainSize * features) : x, y: trainSize < order.length ? y.slice(0, trainSize) : y, n: trainSize },
    ...validation,
    source: describe(spec),
  };
}

function featuresOf(spec: GeneratorData): number {
  if (spec.generator === 'blobs' || spec.generator === 'linear') {
    return spec.options.features ?? GENERATOR_DEFAULTS[spec.generator].features!;
  }
  if (spec.generator === 'adding') return 2 * (spec.options.T ?? GENERATOR_DEFAULTS.adding.T!);
  return spec.generator === 'sine' ? 1 : 2;
}

/** `spiral n=300 noise=0.2 seed=1 classes=3`: the statement as resolved. */
function describe(spec: GeneratorData): string {
  const options = Object.entries({ ...GENERATOR_DEFAULTS[spec.generator], ...spec.options }).map(([k, v]) => ` ${k}=${v}`);
  const noise = spec.generator === 'adding' ? '' : ` noise=${spec.noise}`;
  return `${spec.generator} n=${spec.n}${noise} seed=${spec.seed}${options.join('')}`;
}
