// The Python text of an exported file's data: GradLens's seeded random numbers
// (mulberry32, src/engine/rng.ts and src/engine/data/random.ts), the generators of
// src/engine/data/generators.ts and the CSV reading of src/engine/data/csv.ts, ported line
// for line so that the same `data` statement gives the same examples, in the same order,
// and the same batch schedule in PyTorch. Change one side and the other together: the
// parity tests (test/python/test_export.py) compare the two.

import type { GeneratorKind } from '../lang/spec';

export const RANDOM_PY = `MASK32 = 0xFFFFFFFF


def _imul(a, b):
    """JavaScript's Math.imul on unsigned 32-bit words."""
    return (a * b) & MASK32


class Mulberry32:
    """GradLens's seeded random numbers (mulberry32): the same seed gives the same numbers."""

    def __init__(self, state):
        self.state = state & MASK32

    @classmethod
    def for_data(cls, seed):
        """The generators' and the CSV split's source (src/engine/data/random.ts)."""
        return cls(_imul(seed & MASK32, 0x9E3779B1) ^ 0x85EBCA6B)

    @classmethod
    def for_training(cls, seed, stream):
        """The training loop's source (src/engine/rng.ts); stream 2 shuffles the batches."""
        x = (seed & MASK32) ^ _imul(stream + 1, 0x9E3779B9)
        x = _imul(x ^ (x >> 16), 0x85EBCA6B)
        x = _imul(x ^ (x >> 13), 0xC2B2AE35)
        return cls(x ^ (x >> 16))

    def uniform(self):
        """Uniform on [0, 1)."""
        self.state = (self.state + 0x6D2B79F5) & MASK32
        t = _imul(self.state ^ (self.state >> 15), self.state | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & MASK32
        return ((t ^ (t >> 14)) & MASK32) / 4294967296.0

    def between(self, low, high):
        return low + (high - low) * self.uniform()

    def normal(self):
        """Standard normal (Box-Muller); 1 - u keeps the logarithm's argument in (0, 1]."""
        u = 1.0 - self.uniform()
        v = self.uniform()
        return math.sqrt(-2.0 * math.log(u)) * math.cos(2.0 * math.pi * v)

    def below(self, n):
        """Integer in [0, n)."""
        return math.floor(self.uniform() * n)


def shuffled(n, random):
    """A permutation of 0..n-1 (Fisher-Yates, from the end)."""
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = random.below(i + 1)
        order[i], order[j] = order[j], order[i]
    return order
`;

/** Each generator as a Python function `(n, noise, random, **options) -> (rows, targets)`. */
const GENERATORS_PY: Record<GeneratorKind, string> = {
  xor: `def xor(n, noise, random):
    """The four corners (+-1, +-1); label 1 where the signs differ."""
    rows, targets = [], []
    for i in range(n):
        corner = i % 4
        a = 1.0 if corner & 1 else -1.0
        b = 1.0 if corner & 2 else -1.0
        x = a + noise * random.normal()
        rows.append([x, b + noise * random.normal()])
        targets.append(0 if a == b else 1)
    return rows, targets
`,
  circles: `def circles(n, noise, random, factor):
    """An outer circle of radius 1 (label 0) around an inner one of radius factor (label 1)."""
    outer = math.ceil(n / 2)
    rows, targets = [], []
    for i in range(n):
        inner = i >= outer
        count = n - outer if inner else outer
        angle = (2 * math.pi * (i - outer if inner else i)) / count
        radius = factor if inner else 1
        x = radius * math.cos(angle) + noise * random.normal()
        rows.append([x, radius * math.sin(angle) + noise * random.normal()])
        targets.append(1 if inner else 0)
    return rows, targets
`,
  moons: `def moons(n, noise, random):
    """Two interleaved half circles (scikit-learn's make_moons)."""
    upper = math.ceil(n / 2)
    rows, targets = [], []
    for i in range(n):
        lower = i >= upper
        count = n - upper if lower else upper
        t = (math.pi * (i - upper if lower else i)) / max(1, count - 1)
        x = 1 - math.cos(t) if lower else math.cos(t)
        y = 0.5 - math.sin(t) if lower else math.sin(t)
        x = x + noise * random.normal()
        rows.append([x, y + noise * random.normal()])
        targets.append(1 if lower else 0)
    return rows, targets
`,
  spiral: `def spiral(n, noise, random, classes):
    """One arm per class winding out from the origin (CS231n); noise moves the point."""
    rows, targets = [], []
    for k in range(classes):
        count = n // classes + (1 if k < n % classes else 0)
        for j in range(count):
            r = j / (count - 1) if count > 1 else 0
            angle = 4 * k + 4 * r
            x = r * math.sin(angle) + noise * random.normal()
            rows.append([x, r * math.cos(angle) + noise * random.normal()])
            targets.append(k)
    return rows, targets
`,
  blobs: `def blobs(n, noise, random, classes, features):
    """Gaussian clusters (std noise) around centres drawn uniformly in [-1, 1]^features."""
    centres = [[random.between(-1, 1) for _ in range(features)] for _ in range(classes)]
    rows, targets = [], []
    for i in range(n):
        label = i % classes
        rows.append([c + noise * random.normal() for c in centres[label]])
        targets.append(label)
    return rows, targets
`,
  checkerboard: `def checkerboard(n, noise, random, cells):
    """Points in [-1, 1]^2 labelled by the colour of their cell; noise moves them after labelling."""
    def cell_of(v):
        return min(cells - 1, math.floor(((v + 1) / 2) * cells))

    rows, targets = [], []
    for i in range(n):
        x = random.between(-1, 1)
        y = random.between(-1, 1)
        nx = x + noise * random.normal()
        rows.append([nx, y + noise * random.normal()])
        targets.append((cell_of(x) + cell_of(y)) % 2)
    return rows, targets
`,
  sine: `def sine(n, noise, random):
    """y = sin(x) + noise for x uniform in [-pi, pi]."""
    rows, targets = [], []
    for i in range(n):
        x = random.between(-math.pi, math.pi)
        rows.append([x])
        targets.append(math.sin(x) + noise * random.normal())
    return rows, targets
`,
  linear: `def linear(n, noise, random, features):
    """y = x.w + b + noise with x and the hidden w and b standard normal."""
    weights = [random.normal() for _ in range(features)]
    bias = random.normal()
    rows, targets = [], []
    for i in range(n):
        row = [random.normal() for _ in range(features)]
        rows.append(row)
        total = bias
        for v, w in zip(row, weights):
            total += v * w
        targets.append(total + noise * random.normal())
    return rows, targets
`,
  adding: `def adding(n, noise, random, T):
    """The adding problem: T steps of [value in [0, 1), marker], one marked step per half;
    the target is the sum of the two marked values. Flat [T * 2] per example; no noise."""
    half = T // 2
    rows, targets = [], []
    for i in range(n):
        row = [0.0] * (2 * T)
        for t in range(T):
            row[2 * t] = random.uniform()
        first = random.below(half)
        second = half + random.below(T - half)
        row[2 * first + 1] = 1.0
        row[2 * second + 1] = 1.0
        rows.append(row)
        targets.append(row[2 * first] + row[2 * second])
    return rows, targets
`,
};

export function generatorPy(kind: GeneratorKind): string {
  return GENERATORS_PY[kind];
}

/** Shuffles a generator's examples as GradLens does: every example is a training example. */
export const GENERATED_PY = `def generated(rows, targets, random):
    """The examples in the seeded order GradLens keeps them in."""
    order = shuffled(len(rows), random)
    return [rows[i] for i in order], [targets[i] for i in order]
`;

export const CSV_PY = `def read_csv(path, target, header, split, seed, normalize, task):
    """Features and targets of a CSV file, split and standardised as GradLens does.

    Returns (train_x, train_y, validation_x, validation_y, class_labels)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        records = [[cell.strip() for cell in record] for record in csv.reader(f)]
    records = [r for r in records if r and r != [""]]
    names = records.pop(0) if header else [str(i + 1) for i in range(len(records[0]))]
    column = names.index(target) if header else int(target) - 1
    features = [[float(cell) for j, cell in enumerate(r) if j != column] for r in records]
    cells = [r[column] for r in records]

    def is_number(cell):
        try:
            return cell != "" and math.isfinite(float(cell))
        except ValueError:
            return False

    numeric = all(is_number(c) for c in cells)
    if numeric and task != "classes":
        values, labels = [float(c) for c in cells], None
    else:
        labels = sorted(set(cells), key=float) if numeric else sorted(set(cells))
        index = {label: i for i, label in enumerate(labels)}
        values = [index[c] for c in cells]

    order = shuffled(len(records), Mulberry32.for_data(seed))
    train_size = len(records) if split >= 1 else max(1, math.floor(split * len(records)))
    train, validation = order[:train_size], order[train_size:]
    width = len(features[0])
    mean, std = [0.0] * width, [1.0] * width
    if normalize:
        # Statistics of the training rows only, accumulated in GradLens's order.
        var = [0.0] * width
        for i in train:
            for j, v in enumerate(features[i]):
                mean[j] += v / len(train)
        for i in train:
            for j, v in enumerate(features[i]):
                var[j] += (v - mean[j]) ** 2 / len(train)
        std = [math.sqrt(s) if s > 0 else 1.0 for s in var]

    def rows(indices):
        return [[(v - mean[j]) / std[j] for j, v in enumerate(features[i])] for i in indices]

    return (rows(train), [values[i] for i in train], rows(validation), [values[i] for i in validation], labels)
`;
