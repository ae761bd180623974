// The `data` statement: a built-in generator or a CSV file, resolved to a DataSpec and
// the DataShape the rest of the checker needs (features, task, classes, training size).
// A CSV is summarised through the host's `readCsv` here, at check time, so a missing file
// or column is a diagnostic on the path or the `target` value while the user types. The
// host resolves symbolic links (`realPath`) before the inside-the-workspace test, and
// may answer `pending` while it reads a large file elsewhere (the language server does).

import type { Statement } from './ast';
import type { CsvData, DataShape, DataSpec, GeneratorData, GeneratorKind } from './spec';
import { CSV_OPTIONS, DEFAULT_EXAMPLES, DEFAULT_NOISE, GENERATORS, findGenerator } from './vocabulary';
import { readOptions } from './values';
import { replaceFix, type Reporter } from './report';
import { didYouMean } from './suggest';
import { dirname, isAbsolute, isInside, resolve } from './paths';
import { MAX_LABELS, MAX_MAGNITUDE, type CsvCell, type CsvSummary } from './csv';
import { resolveWorkspaceFile, type WorkspaceFileHost } from './workspace-files';

export interface DataHost extends WorkspaceFileHost {
  /**
   * A CSV file's summary (lang/csv.ts summarizeCsv), or `pending` while the host reads it
   * off the calling thread. Throws on error: `code: 'ENOENT'` for a missing file,
   * `csv-syntax` (CsvSyntaxError) for a text that is not CSV, anything else unreadable.
   */
  readCsv?: (absPath: string, header: boolean) => CsvSummary | 'pending';
}

export interface CheckedData {
  data: DataSpec;
  shape: DataShape;
}

/** `inputWidth` is the default of `features=` for blobs and linear (examples/deep-sigmoid.net relies on it). */
export function checkData(stmt: Statement, host: DataHost, r: Reporter, inputWidth?: number): CheckedData | undefined {
  const source = stmt.args[0];
  for (const extra of stmt.args.slice(1)) r.error('unexpected-argument', '`data` takes one generator or one "path.csv"; options are written key=value.', extra.range);
  if (!source || source.kind === 'missing') {
    r.error('missing-argument', `\`data\` needs a generator (${GENERATORS.map((g) => g.name).join(', ')}) or a "path.csv".`, stmt.keyword.range);
    return undefined;
  }
  if (source.kind === 'string') return checkCsv(stmt, source.value, source.range, host, r);
  if (source.kind !== 'ident') {
    r.error('wrong-type', '`data` needs a generator name or a "path.csv" in double quotes.', source.range);
    return undefined;
  }
  return checkGenerator(stmt, source.name, source.range, r, inputWidth);
}

function checkGenerator(stmt: Statement, name: string, range: Statement['range'], r: Reporter, inputWidth?: number): CheckedData | undefined {
  const doc = GENERATORS.find((g) => g.name === name);
  if (!doc) {
    const names = GENERATORS.map((g) => g.name);
    const guess = didYouMean(name, names);
    r.error('unknown-generator', `Unknown data generator \`${name}\`.${guess ? ` Did you mean \`${guess}\`?` : ` Generators: ${names.join(', ')}; or a "path.csv".`}`, range,
      guess ? { fixes: [replaceFix(`Change to ${guess}`, range, guess)] } : undefined);
    return undefined;
  }
  const { values } = readOptions(stmt, doc.options, `data ${name}`, r);
  const options: Record<string, number> = {};
  for (const o of doc.options) {
    if (o.name === 'n' || o.name === 'noise' || o.name === 'seed') continue;
    options[o.name] = (values.get(o.name) as number | undefined) ?? (o.default as number);
  }
  if (doc.features === 'option' && !values.has('features') && inputWidth !== undefined) options.features = inputWidth;
  const n = (values.get('n') as number | undefined) ?? DEFAULT_EXAMPLES;
  const data: GeneratorData = {
    kind: 'generator',
    generator: name as GeneratorKind,
    n,
    noise: (values.get('noise') as number | undefined) ?? DEFAULT_NOISE,
    seed: (values.get('seed') as number | undefined) ?? 0,
    options,
    range: stmt.range,
  };
  const features = (doc.features === 'option' ? options.features : doc.features) * (doc.steps ? options[doc.steps] : 1);
  const classes = doc.task === 'classes' ? options.classes : doc.task === 'binary' ? 2 : 0;
  // A generator with a `split` option keeps floor(n·split) examples for training (as a CSV does).
  const trainSize = options.split !== undefined && options.split < 1 ? Math.max(1, Math.floor(n * options.split)) : n;
  return { data, shape: { task: doc.task, features, classes, trainSize } };
}

function checkCsv(stmt: Statement, path: string, pathRange: Statement['range'], host: DataHost, r: Reporter): CheckedData | undefined {
  const { values, nodes } = readOptions(stmt, CSV_OPTIONS, 'a CSV `data`', r);
  const targetNode = nodes.get('target');
  const target = values.get('target') as string | undefined;
  if (!targetNode) {
    r.error('missing-target', 'A CSV `data` needs `target=COLUMN`, the name of the label column.', pathRange,
      { fixes: [{ title: 'Add target=', edits: [{ range: { start: stmt.range.end, end: stmt.range.end }, newText: ' target=label' }] }] });
  }
  const file = resolveWorkspaceFile(path, host);
  if (!file.ok) {
    if (file.reason === 'empty') r.error('csv-not-found', 'The CSV path is empty.', pathRange);
    else if (file.reason === 'unsaved') r.error('csv-unreadable', `Cannot resolve "${path}": save the .net file first (the path is relative to it).`, pathRange);
    else if (file.reason === 'outside') r.error('csv-outside-workspace', `"${path}" is outside the workspace; GradLens reads data only from the workspace folders.`, pathRange);
    else if (file.reason === 'outside-through-link') r.error('csv-outside-workspace', `"${path}" leads outside the workspace through a symbolic link; GradLens reads data only from the workspace folders.`, pathRange);
    else if (file.reason === 'unreachable') reportReadError(file.error, path, file.writtenPath, pathRange, r);
    return undefined;
  }
  const resolvedPath = file.path;
  if (!host.readCsv) {
    r.error('csv-unreadable', `Cannot read "${path}" here (no file access).`, pathRange);
    return undefined;
  }
  const header = (values.get('header') as boolean | undefined) ?? true;
  let table: CsvSummary | 'pending';
  try {
    table = host.readCsv(resolvedPath, header);
  } catch (e) {
    reportReadError(e, path, resolvedPath, pathRange, r);
    return undefined;
  }
  if (table === 'pending') {
    r.add('information', 'csv-loading', `Reading "${path}"; its checks and the probe follow when it is read.`, pathRange);
    return undefined;
  }
  if (table.rows === 0) {
    r.error('csv-empty', `"${path}" has no data rows.`, pathRange);
    return undefined;
  }
  if (table.columns.length < 2) {
    r.error('csv-bad-row', `"${path}" needs at least two columns (features and a target); is it comma separated?`, pathRange);
    return undefined;
  }
  if (table.ragged) {
    const { row, line, fields } = table.ragged;
    r.error('csv-bad-row', `Row ${row + 1} (line ${line}) of "${path}" has ${fields} fields; the header has ${table.columns.length}.`, pathRange);
    return undefined;
  }
  if (target === undefined || !targetNode) return undefined;
  const targetIndex = table.columns.indexOf(target);
  if (targetIndex < 0) {
    const guess = didYouMean(target, table.columns);
    const shown = table.columns.length > 12 ? table.columns.slice(0, 12).join(', ') + ', …' : table.columns.join(', ');
    r.error('csv-no-target', `"${path}" has no column \`${target}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} Columns: ${shown}.`, targetNode.value.range,
      guess ? { fixes: [replaceFix(`Change to ${guess}`, targetNode.value.range, /^[A-Za-z_][A-Za-z0-9_]*$/.test(guess) ? guess : JSON.stringify(guess))] } : undefined);
    return undefined;
  }
  const featureColumns = table.columns.map((_, j) => j).filter((j) => j !== targetIndex);
  const text = firstCell(table, featureColumns, 'firstText');
  if (text) {
    r.error('csv-bad-value', `Row ${text.cell.row + 1} (line ${text.cell.line}), column \`${table.columns[text.column]}\` of "${path}" is not a number: "${text.cell.value.slice(0, 30)}".`, pathRange);
    return undefined;
  }
  const task = values.get('task') as 'classes' | 'regression' | undefined;
  const targetColumn = table.perColumn[targetIndex];
  const numeric = targetColumn.firstText === undefined;
  if (task === 'regression' && !numeric) {
    r.error('csv-bad-value', `task=regression needs a numeric \`${target}\` column.`, nodes.get('task')!.value.range);
    return undefined;
  }
  const regression = numeric && task !== 'classes';
  // Values too large to train on are the data's fault, said here rather than as a
  // diverged run blamed on the first matmul.
  const huge = firstCell(table, regression ? [...featureColumns, targetIndex] : featureColumns, 'firstHuge');
  if (huge) {
    r.error('csv-bad-value', `Row ${huge.cell.row + 1} (line ${huge.cell.line}), column \`${table.columns[huge.column]}\` of "${path}" is ${huge.cell.value.slice(0, 30)}: GradLens trains on values within ±${MAX_MAGNITUDE.toExponential()}; rescale the column.`, pathRange);
    return undefined;
  }
  if (!regression && targetColumn.distinct.length > MAX_LABELS) {
    r.error('csv-bad-value', `\`${target}\` has more than ${MAX_LABELS} distinct labels; is it the label column?`, targetNode.value.range);
    return undefined;
  }
  const labels = targetColumn.distinct;
  const split = (values.get('split') as number | undefined) ?? 0.8;
  const trainSize = Math.floor(table.rows * split);
  if (trainSize < 1) {
    r.error('csv-empty', `split=${split} leaves no training rows out of ${table.rows}.`, nodes.get('split')?.value.range ?? pathRange);
    return undefined;
  }
  const data: CsvData = {
    kind: 'csv',
    path,
    resolvedPath,
    target,
    normalize: (values.get('normalize') as boolean | undefined) ?? true,
    split,
    header,
    seed: (values.get('seed') as number | undefined) ?? 0,
    range: stmt.range,
  };
  if (task) data.task = task;
  const features = table.columns.length - 1;
  if (regression) return { data, shape: { task: 'regression', features, classes: 0, trainSize } };
  const classLabels = sortLabels([...labels], numeric);
  return { data, shape: { task: 'classes', features, classes: classLabels.length, trainSize, classLabels } };
}

/** The cell of `which` that comes first in the file over the given columns. */
function firstCell(table: CsvSummary, columns: number[], which: 'firstText' | 'firstHuge'): { cell: CsvCell; column: number } | undefined {
  let first: { cell: CsvCell; column: number } | undefined;
  for (const column of columns) {
    const cell = table.perColumn[column][which];
    if (cell && (!first || cell.row < first.cell.row)) first = { cell, column };
  }
  return first;
}

function reportReadError(e: unknown, path: string, absPath: string, range: Statement['range'], r: Reporter): void {
  const error = e as { code?: unknown; message?: unknown } | null;
  const code = error?.code;
  const reason = typeof error?.message === 'string' ? error.message : String(e);
  if (code === 'ENOENT' || code === 'ENOTDIR') r.error('csv-not-found', `No file "${path}" (looked for ${absPath}).`, range);
  else if (code === 'csv-syntax') r.error('csv-unreadable', `"${path}" is not valid CSV: ${reason}.`, range);
  else r.error('csv-unreadable', `Cannot read "${path}": ${reason}.`, range);
}

/** Numeric labels sort by value (so 2 comes before 10), text labels by code unit. */
function sortLabels(labels: string[], numeric: boolean): string[] {
  return numeric ? labels.sort((a, b) => Number(a) - Number(b)) : labels.sort();
}

/** One example's own shape: [T, F] for sequence generators (`data adding T=50` → [50, 2]), else [features]. */
export function exampleShapeOf(checked: CheckedData): number[] {
  const { data, shape } = checked;
  const steps = data.kind === 'generator' ? findGenerator(data.generator)?.steps : undefined;
  const t = steps !== undefined && data.kind === 'generator' ? data.options[steps] : undefined;
  return t !== undefined && t > 0 ? [t, shape.features / t] : [shape.features];
}
