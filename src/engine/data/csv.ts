// CSV data: parse (with the checker's parser, lang/csv.ts, so both read a file alike),
// pick the target column, read the features as numbers, split train/validation by a
// seeded shuffle, and standardise with the training split's statistics only (so
// validation numbers do not leak into training).

import { CsvSyntaxError, isNumeric, MAX_MAGNITUDE, parseCsv } from '../../lang/csv';
import type { CsvData, Task } from '../../lang/spec';
import type { Dataset, Split } from './dataset';
import { DataError } from './errors';
import { seededRandom, shuffledIndices } from './random';

/** Loads and checks a CSV file; throws DataError for anything wrong with the file. */
export function loadCsv(data: CsvData, readFile: (absPath: string) => string): Dataset {
  const text = read(data, readFile);
  const { records, lines } = parseRecords(text, data.path);
  const first = data.header ? 1 : 0;
  const header = data.header ? records[0] : undefined;
  const n = records.length - first;
  if (n === 0) throw new DataError('csv-empty', `${data.path} has no data rows`);
  const width = header?.length ?? records[0]!.length;
  const names = header ?? Array.from({ length: width }, (_, i) => `column ${i + 1}`);
  const targetColumn = findTarget(data, names);

  for (let r = first; r < records.length; r++) {
    if (records[r]!.length !== width) {
      throw new DataError('csv-bad-row', `${data.path} line ${lines[r]}: ${records[r]!.length} columns, expected ${width}`, lines[r]);
    }
  }
  // Row-major in one array: a 40 MB file has millions of values, too many for an array per row.
  const featureColumns = names.map((_, i) => i).filter((i) => i !== targetColumn);
  const f = featureColumns.length;
  const features = new Float64Array(n * f);
  for (let i = 0; i < n; i++) {
    const cells = records[first + i]!;
    for (let k = 0; k < f; k++) features[i * f + k] = numberAt(cells[featureColumns[k]!]!, lines[first + i]!, names[featureColumns[k]!]!, data.path);
  }
  const targetCells = new Array<string>(n);
  for (let i = 0; i < n; i++) targetCells[i] = records[first + i]![targetColumn]!;
  const target = readTarget(targetCells, data.task, data.path);

  const random = seededRandom(data.seed ?? 0);
  const order = shuffledIndices(n, random);
  // floor(n·split) as the vocabulary documents, but never an empty training set.
  const trainSize = data.split >= 1 ? n : Math.max(1, Math.floor(data.split * n));
  const trainOrder = order.slice(0, trainSize);
  const validationOrder = order.slice(trainSize);
  const scale = data.normalize ? standardisation(features, f, trainOrder) : undefined;

  const toSplit = (indices: number[]): Split => {
    const x = new Float64Array(indices.length * f);
    const y = new Float64Array(indices.length);
    for (let to = 0; to < indices.length; to++) {
      const from = indices[to]!;
      for (let j = 0; j < f; j++) {
        const v = features[from * f + j]!;
        x[to * f + j] = scale ? (v - scale.mean[j]!) / scale.std[j]! : v;
      }
      y[to] = target.values[from]!;
    }
    return { x, y, n: indices.length };
  };

  return {
    task: target.task,
    features: f,
    classes: target.labels ? target.labels.length : 0,
    targetWidth: 1,
    train: toSplit(trainOrder),
    ...(validationOrder.length > 0 ? { validation: toSplit(validationOrder) } : {}),
    source: data.path,
    ...(target.labels ? { classLabels: target.labels } : {}),
  };
}

function read(data: CsvData, readFile: (absPath: string) => string): string {
  try {
    return readFile(data.resolvedPath);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') throw new DataError('csv-missing', `${data.path} not found (looked for ${data.resolvedPath})`);
    const reason = error instanceof Error ? error.message : String(error);
    throw new DataError('csv-unreadable', `${data.path} cannot be read: ${reason}`);
  }
}

function parseRecords(text: string, path: string): ReturnType<typeof parseCsv> {
  let parsed: ReturnType<typeof parseCsv>;
  try {
    parsed = parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    throw new DataError('csv-unreadable', `${path} is not valid CSV: ${error.message}`, error.line);
  }
  if (parsed.records.length === 0) throw new DataError('csv-empty', `${path} is empty`);
  return parsed;
}

/** The target's column index: by header name, or without a header by 1-based position (`target=3`). */
function findTarget(data: CsvData, names: string[]): number {
  if (data.header) {
    const byName = names.indexOf(data.target);
    if (byName >= 0) return byName;
  } else {
    const position = Number(data.target);
    if (data.target.trim() !== '' && Number.isInteger(position) && position >= 1 && position <= names.length) return position - 1;
  }
  const columns = data.header ? `columns: ${names.join(', ')}` : `${names.length} columns, numbered from 1`;
  throw new DataError('csv-no-target', `${data.path} has no column '${data.target}' (${columns})`);
}

function numberAt(text: string, line: number, name: string, path: string): number {
  const value = text === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) {
    const shown = text === '' ? 'is empty' : `is '${text}', not a number`;
    throw new DataError('csv-bad-row', `${path} line ${line}: column '${name}' ${shown}`, line);
  }
  if (Math.abs(value) > MAX_MAGNITUDE) {
    throw new DataError('csv-bad-row', `${path} line ${line}: column '${name}' is ${text}, beyond ±${MAX_MAGNITUDE.toExponential()}`, line);
  }
  return value;
}

/** Numeric targets are values (regression) unless `task=classes`; any text makes them class labels, sorted. */
function readTarget(cells: string[], task: CsvData['task'], path: string): { task: Task; values: number[]; labels?: string[] } {
  const numeric = cells.every(isNumeric);
  if (numeric && task !== 'classes') {
    const huge = cells.find((cell) => Math.abs(Number(cell)) > MAX_MAGNITUDE);
    if (huge !== undefined) throw new DataError('csv-bad-row', `${path}: a target of ${huge} is beyond ±${MAX_MAGNITUDE.toExponential()}`);
    return { task: 'regression', values: cells.map(Number) };
  }
  const unique = [...new Set(cells)];
  const labels = numeric ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort();
  const index = new Map(labels.map((label, i) => [label, i]));
  return { task: 'classes', values: cells.map((cell) => index.get(cell)!), labels };
}

/** Per-feature mean and (biased) standard deviation over the training rows; a constant feature keeps std 1. */
function standardisation(features: Float64Array, width: number, trainOrder: number[]): { mean: number[]; std: number[] } {
  const mean = new Array<number>(width).fill(0);
  const std = new Array<number>(width).fill(0);
  const n = trainOrder.length;
  for (const i of trainOrder) for (let j = 0; j < width; j++) mean[j]! += features[i * width + j]! / n;
  for (const i of trainOrder) for (let j = 0; j < width; j++) std[j]! += (features[i * width + j]! - mean[j]!) ** 2 / n;
  return { mean, std: std.map((s) => (s > 0 ? Math.sqrt(s) : 1)) };
}
