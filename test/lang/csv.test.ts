// The one CSV parser (src/lang/csv.ts) the checker and the engine share: records, the
// line each starts on, and the two syntax errors, on the cases its header comment names.

import assert from 'node:assert/strict';
import { CsvSyntaxError, parseCsv, summarizeCsv } from '../../src/lang/csv';

describe('CSV parser', () => {
  it('splits records on \\n, \\r\\n and \\r mixed, skipping blank lines and a BOM, with each record\'s line', () => {
    assert.deepEqual(parseCsv('\ufeffa,b\r\n1,2\n\n3,4\r5,6'), { records: [['a', 'b'], ['1', '2'], ['3', '4'], ['5', '6']], lines: [1, 2, 4, 5] });
  });

  it('trims unquoted fields, keeps quoted ones exactly, reads "" as a quote and a quote inside a field as text', () => {
    assert.deepEqual(parseCsv(' a ,\t"  b, ""c""\n",5\'11"\nx,').records, [['a', '  b, "c"\n', '5\'11"'], ['x', '']]);
  });

  it('counts the lines inside quoted fields', () => {
    assert.deepEqual(parseCsv('a,b\n"x\r\ny\rz",1\nq,2\n').lines, [1, 2, 5]);
  });

  it('throws CsvSyntaxError with the line for an unclosed quote or text after a closing quote', () => {
    assert.throws(() => parseCsv('a,b\n1,2\n"3,4\n'), (e: unknown) => e instanceof CsvSyntaxError && e.line === 3 && /never closed/.test(e.message));
    assert.throws(() => parseCsv('a,b\n"1" x,2\n'), (e: unknown) => e instanceof CsvSyntaxError && e.line === 2 && /after the closing quote/.test(e.message));
  });

  it('summarises columns: first text and first huge cell, distinct values, the first ragged row', () => {
    const summary = summarizeCsv('a,b,y\n1,2,x\n1e308,no,y\n3\n4,5,x\n', true);
    assert.deepEqual(summary.columns, ['a', 'b', 'y']);
    assert.equal(summary.rows, 4);
    assert.deepEqual(summary.ragged, { row: 2, line: 4, fields: 1 });
    assert.deepEqual(summary.perColumn[0].firstHuge, { row: 1, line: 3, value: '1e308' });
    assert.deepEqual(summary.perColumn[1].firstText, { row: 1, line: 3, value: 'no' });
    assert.deepEqual(summary.perColumn[2].distinct, ['x', 'y']);
  });
});
