// CSV data: parse (with the checker's parser, lang/csv.ts, so both read a file alike),
// pick the target column, read the features as numbers, split train/validation by a
// seeded shuffle, and standardise with the training split's statistics only (so
// validation numbers do not leak into training).

import { CsvSyntaxError, isNumeric, MAX_MAGNITUDE, parseCsv } from '../../lang/csv';
import type { CsvData, Task } from '../../lang/spec';
import type { Dataset, Split } from './dataset';
import { DataError } from './errors';
import { seededRandom, shuffledIndices } from './random';

interface Row {
  cells: string[];
  /** 1-based line in the file. */
  line: number;
}

/** Loads and checks a CSV file; throws DataError for anything wrong with the file. */
export function loadCsv(data: CsvData, readFile: (absPath: string) => string): Dataset {
  const text = read(data, readFile);
  const rows = parseRows(text, data.path);
  const header = data.header ? rows.shift()!.cells : undefined;
  if (rows.length === 0) throw new DataError('csv-empty', `${data.path} has no data rows`);
  const width = header?.length ?? rows[0]!.cells.length;
  const names = header ?? Array.from({ length: width }, (_, i) => `column ${i + 1}`);
  const targetColumn = findTarget(data, names);

  for (const row of rows) {
    if (row.cells.length !== width) {
      throw new DataError('csv-bad-row', `${data.path} line ${row.line}: ${row.cells.length} columns, expected ${width}`, row.line);
    }
  }
  const featureColumns = names.map((_, i) => i).filter((i) => i !== targetColumn);
  const features = rows.map((row) => featureColumns.map((column) => numberAt(row, column, names, data.path)));
  const target = readTarget(rows.map((row) => row.cells[targetColumn]!), data.task, data.path);

  const random = seededRandom(data.seed ?? 0);
  const order = shuffledIndices(rows.length, random);
  // floor(n·split) as the vocabulary documents, but never an empty training set.
  const trainSize = data.split >= 1 ? rows.length : Math.max(1, Math.floor(data.split * rows.length));
  const trainOrder = order.slice(0, trainSize);
  const validationOrder = order.slice(trainSize);
  const scale = data.normalize ? standardisation(features, trainOrder) : undefined;

  const toSplit = (indices: number[]): Split => {
    const x = new Float64Array(indices.length * featureColumns.length);
    const y = new Float64Array(indices.length);
    indices.forEach((from, to) => {
      const row = features[from]!;
      for (let j = 0; j < row.length; j++) {
        x[to * row.length + j] = scale ? (row[j]! - scale.mean[j]!) / scale.std[j]! : row[j]!;
      }
      y[to] = target.values[from]!;
    });
    return { x, y, n: indices.length };
  };

  return {
    task: target.task,
    features: featureColumns.length,
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

function parseRows(text: string, path: string): Row[] {
  let parsed: ReturnType<typeof parseCsv>;
  try {
    parsed = parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    throw new DataError('csv-unreadable', `${path} is not valid CSV: ${error.message}`, error.line);
  }
  const rows = parsed.records.map((cells, i) => ({ cells, line: parsed.lines[i]! }));
  if (rows.length === 0) throw new DataError('csv-empty', `${path} is empty`);
  return rows;
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

function numberAt(row: Row, column: number, names: string[], path: string): number {
  const text = row.cells[column]!;
  const value = text === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) {
    const shown = text === '' ? 'is empty' : `is '${text}', not a number`;
    throw new DataError('csv-bad-row', `${path} line ${row.line}: column '${names[column]}' ${shown}`, row.line);
  }
  if (Math.abs(value) > MAX_MAGNITUDE) {
    throw new DataError('csv-bad-row', `${path} line ${row.line}: column '${names[column]}' is ${text}, beyond ±${MAX_MAGNITUDE.toExponential()}`, row.line);
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
function standardisation(features: number[][], trainOrder: number[]): { mean: number[]; std: number[] } {
  const width = features[0]!.length;
  const mean = new Array<number>(width).fill(0);
  const std = new Array<number>(width).fill(0);
  for (const i of trainOrder) features[i]!.forEach((v, j) => (mean[j]! += v / trainOrder.length));
  for (const i of trainOrder) features[i]!.forEach((v, j) => (std[j]! += (v - mean[j]!) ** 2 / trainOrder.length));
  return { mean, std: std.map((s) => (s > 0 ? Math.sqrt(s) : 1)) };
}
