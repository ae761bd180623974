import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataError, loadDataset } from '../../src/engine/data';
import type { CsvData } from '../../src/lang/spec';
import { range } from '../../src/lang/diagnostics';
import { check } from '../../src/lang';
import { dataShapeOf } from '../../src/engine/data';

function csv(options: Partial<CsvData> = {}): CsvData {
  return {
    kind: 'csv', path: 'data/t.csv', resolvedPath: '/w/data/t.csv', target: 'y',
    normalize: false, split: 1, header: true, range: range(0, 0, 0, 0), ...options,
  };
}

/** A readFile over an in-memory folder; a missing path throws like fs does. */
function files(content: Record<string, string>): (path: string) => string {
  return (path) => {
    if (!(path in content)) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    return content[path]!;
  };
}

function load(text: string, options: Partial<CsvData> = {}) {
  return loadDataset(csv(options), files({ '/w/data/t.csv': text }));
}

function throwsData(run: () => unknown, code: string, message: RegExp, line?: number): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    assert.equal(error.line, line);
    return true;
  });
}

describe('CSV data', () => {
  it('reads the target column by name and every other column as a feature', () => {
    const data = load('a,y,b\n1,10,2\n3,20,4\n');
    assert.equal(data.task, 'regression');
    assert.equal(data.features, 2);
    assert.equal(data.classes, 0);
    assert.equal(data.train.n, 2);
    // split=1 keeps the seeded order of the rows; pair features with targets to compare.
    const pairs = [0, 1].map((i) => [data.train.x[2 * i], data.train.x[2 * i + 1], data.train.y[i]]);
    assert.deepEqual(pairs.sort(), [[1, 2, 10], [3, 4, 20]]);
    assert.equal(data.validation, undefined);
    assert.equal(data.source, 'data/t.csv');
  });

  it('makes text targets classes, indexed by their sorted unique labels', () => {
    const data = load('x,y\n1,setosa\n2,virginica\n3,versicolor\n4,setosa\n');
    assert.equal(data.task, 'classes');
    assert.equal(data.classes, 3);
    assert.deepEqual(data.classLabels, ['setosa', 'versicolor', 'virginica']);
    const labelOf = new Map(Array.from(data.train.x, (x, i) => [x, data.train.y[i]]));
    assert.deepEqual([1, 2, 3, 4].map((x) => labelOf.get(x)), [0, 2, 1, 0]);
  });

  it('reads a numeric target as classes with task=classes, labels in numeric order', () => {
    const data = load('x,y\n1,10\n2,2\n3,10\n', { task: 'classes' });
    assert.equal(data.task, 'classes');
    assert.deepEqual(data.classLabels, ['2', '10']);
    const labelOf = new Map(Array.from(data.train.x, (x, i) => [x, data.train.y[i]]));
    assert.deepEqual([1, 2, 3].map((x) => labelOf.get(x)), [1, 0, 1]);
  });

  it('takes the target by 1-based position when the file has no header', () => {
    const data = load('1,2,0\n3,4,1\n', { header: false, target: '3' });
    assert.equal(data.features, 2);
    assert.equal(data.train.n, 2);
    assert.deepEqual(Array.from(data.train.y).sort(), [0, 1]);
  });

  it('splits train/validation as floor(n·split) rows after a shuffle seeded by seed', () => {
    const text = 'x,y\n' + Array.from({ length: 10 }, (_, i) => `${i},${i * 2}`).join('\n');
    const a = load(text, { split: 0.75, seed: 3 });
    assert.equal(a.train.n, 7);
    assert.equal(a.validation?.n, 3);
    const all = [...a.train.x, ...a.validation!.x].sort((p, q) => p - q);
    assert.deepEqual(all, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'every row lands in exactly one split');
    assert.deepEqual(load(text, { split: 0.75, seed: 3 }).train.x, a.train.x, 'the same seed gives the same split');
    assert.notDeepEqual(load(text, { split: 0.75, seed: 4 }).train.x, a.train.x, 'another seed another split');
  });

  it('standardises features with the training rows\' mean and standard deviation only', () => {
    const text = 'x,c,y\n' + Array.from({ length: 10 }, (_, i) => `${i * i},5,${i}`).join('\n');
    const data = load(text, { split: 0.6, normalize: true, seed: 1 });
    const train = Array.from({ length: data.train.n }, (_, i) => data.train.x[2 * i]!);
    const mean = train.reduce((s, v) => s + v, 0) / train.length;
    const variance = train.reduce((s, v) => s + (v - mean) ** 2, 0) / train.length;
    assert.ok(Math.abs(mean) < 1e-12);
    assert.ok(Math.abs(variance - 1) < 1e-12);
    // A constant column becomes 0 rather than NaN.
    assert.ok(Array.from({ length: data.train.n }, (_, i) => data.train.x[2 * i + 1]).every((v) => v === 0));
    // Validation rows use the training statistics: mapping back through them gives x = y², as written in the file.
    const rawTrain = Array.from({ length: data.train.n }, (_, i) => data.train.y[i]! ** 2);
    const rawMean = rawTrain.reduce((s, v) => s + v, 0) / rawTrain.length;
    const rawStd = Math.sqrt(rawTrain.reduce((s, v) => s + (v - rawMean) ** 2, 0) / rawTrain.length);
    for (let i = 0; i < data.validation!.n; i++) {
      const raw = data.validation!.x[2 * i]! * rawStd + rawMean;
      assert.ok(Math.abs(raw - data.validation!.y[i]! ** 2) < 1e-9);
    }
  });

  it('accepts quoted fields, surrounding spaces, a BOM, CRLF line ends and blank lines', () => {
    const data = load('\ufeff"a", y\r\n 1 ,"cat, black"\r\n\r\n2,dog\r\n');
    assert.equal(data.train.n, 2);
    assert.deepEqual(data.classLabels, ['cat, black', 'dog']);
  });

  describe('errors', () => {
    it('csv-missing: the file does not exist', () => {
      throwsData(() => loadDataset(csv(), files({})), 'csv-missing', /data\/t\.csv not found/);
    });

    it('csv-unreadable: reading fails for another reason', () => {
      const readFile = (): string => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      };
      throwsData(() => loadDataset(csv(), readFile), 'csv-unreadable', /cannot be read: EACCES/);
    });

    it('csv-unreadable: a quote that is never closed, with its line', () => {
      throwsData(() => load('x,y\n1,2\n"3,4\n'), 'csv-unreadable', /not valid CSV/, 3);
    });

    it('csv-empty: an empty file, a file of blank lines, a header without rows', () => {
      throwsData(() => load(''), 'csv-empty', /is empty/);
      throwsData(() => load('\n \n'), 'csv-empty', /is empty/);
      throwsData(() => load('x,y\n'), 'csv-empty', /no data rows/);
    });

    it('csv-bad-row: a row with the wrong number of columns, naming its line', () => {
      throwsData(() => load('x,y\n1,2\n3\n'), 'csv-bad-row', /line 3: 1 columns, expected 2/, 3);
      throwsData(() => load('x,y\n1,2\n\n3,4,5\n'), 'csv-bad-row', /line 4: 3 columns, expected 2/, 4);
    });

    it('csv-bad-row: a feature that is not a number, naming its line and column', () => {
      throwsData(() => load('sepal,y\n1,a\nwide,b\n'), 'csv-bad-row', /line 3: column 'sepal' is 'wide', not a number/, 3);
      throwsData(() => load('sepal,y\n1,a\n,b\n'), 'csv-bad-row', /line 3: column 'sepal' is empty/, 3);
    });

    it('csv-no-target: target names no column, listing the columns there are', () => {
      throwsData(() => load('a,b\n1,2\n', { target: 'label' }), 'csv-no-target', /no column 'label' \(columns: a, b\)/);
      throwsData(() => load('1,2\n', { header: false, target: '3' }), 'csv-no-target', /no column '3' \(2 columns, numbered from 1\)/);
      throwsData(() => load('1,2\n', { header: false, target: '0' }), 'csv-no-target', /no column '0'/);
    });
  });
});

describe('CSV data agrees with the checker', () => {
  // The checker reads the CSV's shape at check time; the loader must give the network the
  // same task, features, classes, labels and training-set size.
  const numbers = 'a,b,y\n' + Array.from({ length: 25 }, (_, i) => `${i},${i % 7},${i % 3}`).join('\n') + '\n';
  const words = 'a,kind\n' + Array.from({ length: 10 }, (_, i) => `${i},${['fir', 'ash', 'oak'][i % 3]}`).join('\n') + '\n';
  const networks: [string, string, string][] = [
    [numbers, 'target=y', 'input 2\ndense 1'],
    [numbers, 'target=y split=0.7 seed=3', 'input 2\ndense 1'],
    [numbers, 'target=y task=classes', 'input 2\ndense 3'],
    [numbers, 'target=b normalize=false split=1', 'input 2\ndense 1'],
    [words, 'target=kind split=0.5', 'input 1\ndense 3'],
  ];
  for (const [text, options, layers] of networks) {
    it(`data "t.csv" ${options}`, () => {
      const readFile = files({ '/w/t.csv': text });
      const result = check(`data "t.csv" ${options}\n${layers}\n`, { documentPath: '/w/model.net', workspaceFolders: ['/w'], readFile });
      assert.ok(result.spec, result.diagnostics.map((d) => d.message).join('; '));
      assert.deepEqual(dataShapeOf(loadDataset(result.spec.data, readFile)), result.spec.dataShape);
    });
  }

  // One parser: what the checker accepts, the engine loads, and what one refuses the other does.
  const tricky: [string, string][] = [
    ['mixed line endings', 'a,b,y\r\n1,2,x\n3,4,y\r5,6,x\n'],
    ['a quote inside an unquoted field', 'a,b,y\n1,2,5\'11"\n3,4,y\n'],
    ['a doubled quote inside a quoted field', 'a,b,y\n1,2,"x ""q"""\n3,4,y\n'],
    ['a quoted line break', 'a,b,y\n1,2,"two\nlines"\n3,4,y\n'],
    ['an unclosed quote', 'a,b,y\n1,2,"x\n3,4,y\n'],
    ['text after a closing quote', 'a,b,y\n1,2,"x" z\n3,4,y\n'],
    ['a ±1e308 feature column', 'a,b,y\n1e308,2,x\n-1e308,3,y\n'],
    ['a 1e16 regression target', 'a,b,y\n1,2,1e16\n3,4,5\n'],
    ['1e400 (not finite)', 'a,b,y\n1e400,2,x\n3,4,y\n'],
  ];
  for (const [name, text] of tricky) {
    it(`${name}: the checker and the engine agree`, () => {
      const readFile = files({ '/w/t.csv': text });
      const result = check('data "t.csv" target=y\ninput 2\ndense 2\n', { documentPath: '/w/model.net', workspaceFolders: ['/w'], readFile });
      const dataErrors = result.diagnostics.filter((d) => d.code.startsWith('csv-'));
      let loaded: ReturnType<typeof loadDataset> | undefined;
      try {
        loaded = loadDataset({ ...csv({ path: 't.csv', resolvedPath: '/w/t.csv' }), split: 0.8, normalize: true }, readFile);
      } catch (error) {
        if (!(error instanceof DataError)) throw error;
      }
      assert.equal(dataErrors.length === 0, loaded !== undefined, `checker: ${dataErrors.map((d) => d.message).join('; ') || 'accepts'}; engine: ${loaded ? 'loads' : 'refuses'}`);
      if (loaded && result.spec) assert.deepEqual(dataShapeOf(loaded), result.spec.dataShape);
    });
  }

  it('a ±1e308 feature column is refused as data, naming the row, line and column', () => {
    const readFile = files({ '/w/t.csv': 'a,b,y\n1,2,x\n1e308,3,y\n-1e308,3,y\n' });
    const result = check('data "t.csv" target=y\ninput 2\ndense 2\n', { documentPath: '/w/model.net', workspaceFolders: ['/w'], readFile });
    assert.deepEqual(result.diagnostics.map((d) => [d.code, d.message]), [['csv-bad-value', 'Row 2 (line 3), column `a` of "t.csv" is 1e308: GradLens trains on values within ±1e+15; rescale the column.']]);
    throwsData(() => loadDataset(csv({ normalize: true }), files({ '/w/data/t.csv': 'a,b,y\n1,2,x\n1e308,3,y\n' })), 'csv-bad-row', /line 3: column 'a' is 1e308, beyond ±1e\+15/, 3);
  });

  it('noise beyond 100 is out of range on the noise value (noise=1e308 never reaches a matmul)', () => {
    const result = check('data xor noise=1e308\ninput 2\ndense 1 sigmoid\n');
    assert.deepEqual(result.diagnostics.map((d) => d.code), ['out-of-range']);
    assert.match(result.diagnostics[0].message, /noise/);
  });

  it('the split follows the seed written in the file', () => {
    const readFile = files({ '/w/t.csv': numbers });
    const specOf = (seed: number) => check(`data "t.csv" target=y seed=${seed}\ninput 2\ndense 1\n`, { documentPath: '/w/model.net', readFile }).spec!;
    assert.notDeepEqual(loadDataset(specOf(1).data, readFile).train.x, loadDataset(specOf(2).data, readFile).train.x);
  });
});

describe('the shipped 8×8 digits (examples/data/digits.csv)', () => {
  it('1,797 images of 64 pixels 0–16 in 10 classes of 174–183, a header with `label`', () => {
    const path = resolve(__dirname, '../../examples/data/digits.csv');
    const data = loadDataset(csv({ path: 'data/digits.csv', resolvedPath: path, target: 'label', task: 'classes' }), (p) => readFileSync(p, 'utf8'));
    assert.equal(data.task, 'classes');
    assert.equal(data.features, 64);
    assert.equal(data.classes, 10);
    assert.equal(data.train.n, 1797);
    assert.ok(data.train.x.every((v) => Number.isInteger(v) && v >= 0 && v <= 16));
    const counts = new Array<number>(10).fill(0);
    for (const label of data.train.y) counts[label]! += 1;
    assert.ok(counts.every((c) => c >= 174 && c <= 183), `per class ${counts}`);
    assert.deepEqual(data.classLabels, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });
});
