// The `data` statement: a built-in generator or a CSV file, resolved to a DataSpec and
// the DataShape the rest of the checker needs (features, task, classes, training size).
// A CSV is read through the host's `readFile` here, at check time, so a missing file or
// column is a diagnostic on the path or the `target` value while the user types.

import type { Statement } from './ast';
import type { CsvData, DataShape, DataSpec, GeneratorData, GeneratorKind } from './spec';
import { CSV_OPTIONS, DEFAULT_EXAMPLES, DEFAULT_NOISE, GENERATORS } from './vocabulary';
import { readOptions } from './values';
import { replaceFix, type Reporter } from './report';
import { didYouMean } from './suggest';
import { dirname, isAbsolute, isInside, resolve } from './paths';
import { isNumeric, readTable } from './csv';

export interface DataHost {
  documentPath?: string;
  workspaceFolders?: string[];
  readFile?: (absPath: string) => string;
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
  return { data, shape: { task: doc.task, features, classes, trainSize: n } };
}

function checkCsv(stmt: Statement, path: string, pathRange: Statement['range'], host: DataHost, r: Reporter): CheckedData | undefined {
  const { values, nodes } = readOptions(stmt, CSV_OPTIONS, 'a CSV `data`', r);
  const targetNode = nodes.get('target');
  const target = values.get('target') as string | undefined;
  if (!targetNode) {
    r.error('missing-target', 'A CSV `data` needs `target=COLUMN`, the name of the label column.', pathRange,
      { fixes: [{ title: 'Add target=', edits: [{ range: { start: stmt.range.end, end: stmt.range.end }, newText: ' target=label' }] }] });
  }
  if (path.trim() === '') {
    r.error('csv-not-found', 'The CSV path is empty.', pathRange);
    return undefined;
  }
  const base = host.documentPath ? dirname(host.documentPath) : host.workspaceFolders?.[0];
  if (!isAbsolute(path) && !base) {
    r.error('csv-unreadable', `Cannot resolve "${path}": save the .net file first (the path is relative to it).`, pathRange);
    return undefined;
  }
  const resolvedPath = base ? resolve(base, path) : resolve('/', path);
  const folders = host.workspaceFolders ?? [];
  if (folders.length > 0 && !folders.some((f) => isInside(resolvedPath, f))) {
    r.error('csv-outside-workspace', `"${path}" is outside the workspace; GradLens reads data only from the workspace folders.`, pathRange);
    return undefined;
  }
  if (!host.readFile) {
    r.error('csv-unreadable', `Cannot read "${path}" here (no file access).`, pathRange);
    return undefined;
  }
  let text: string;
  try {
    text = host.readFile(resolvedPath);
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') r.error('csv-not-found', `No file "${path}" (looked for ${resolvedPath}).`, pathRange);
    else r.error('csv-unreadable', `Cannot read "${path}": ${e instanceof Error ? e.message : String(e)}.`, pathRange);
    return undefined;
  }
  const header = (values.get('header') as boolean | undefined) ?? true;
  const table = cachedTable(resolvedPath, text, header);
  if (table.rows.length === 0) {
    r.error('csv-empty', `"${path}" has no data rows.`, pathRange);
    return undefined;
  }
  if (table.columns.length < 2) {
    r.error('csv-bad-row', `"${path}" needs at least two columns (features and a target); is it comma separated?`, pathRange);
    return undefined;
  }
  const ragged = table.rows.findIndex((row) => row.length !== table.columns.length);
  if (ragged >= 0) {
    r.error('csv-bad-row', `Row ${ragged + 1} of "${path}" has ${table.rows[ragged].length} fields; the header has ${table.columns.length}.`, pathRange);
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
  for (const [i, row] of table.rows.entries()) {
    const bad = row.findIndex((field, j) => j !== targetIndex && !isNumeric(field));
    if (bad >= 0) {
      r.error('csv-bad-value', `Row ${i + 1}, column \`${table.columns[bad]}\` of "${path}" is not a number: "${row[bad].slice(0, 30)}".`, pathRange);
      return undefined;
    }
  }
  const task = values.get('task') as 'classes' | 'regression' | undefined;
  const labels = table.rows.map((row) => row[targetIndex]);
  const numeric = labels.every(isNumeric);
  if (task === 'regression' && !numeric) {
    r.error('csv-bad-value', `task=regression needs a numeric \`${target}\` column.`, nodes.get('task')!.value.range);
    return undefined;
  }
  const split = (values.get('split') as number | undefined) ?? 0.8;
  const trainSize = Math.floor(labels.length * split);
  if (trainSize < 1) {
    r.error('csv-empty', `split=${split} leaves no training rows out of ${labels.length}.`, nodes.get('split')?.value.range ?? pathRange);
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
  if (numeric && task !== 'classes') return { data, shape: { task: 'regression', features, classes: 0, trainSize } };
  const classLabels = sortLabels([...new Set(labels)], numeric);
  return { data, shape: { task: 'classes', features, classes: classLabels.length, trainSize, classLabels } };
}

// The check runs on every keystroke and the CSV rarely changes: keep the last few parsed
// tables, reused when the file's text is the same (a string compare, far cheaper than a parse).
const tableCache = new Map<string, { text: string; header: boolean; table: ReturnType<typeof readTable> }>();
function cachedTable(path: string, text: string, header: boolean) {
  const hit = tableCache.get(path);
  if (hit && hit.header === header && hit.text === text) return hit.table;
  const table = readTable(text, header);
  if (tableCache.size >= 4) tableCache.delete(tableCache.keys().next().value!);
  tableCache.set(path, { text, header, table });
  return table;
}

/** Numeric labels sort by value (so 2 comes before 10), text labels by code unit. */
function sortLabels(labels: string[], numeric: boolean): string[] {
  return numeric ? labels.sort((a, b) => Number(a) - Number(b)) : labels.sort();
}
