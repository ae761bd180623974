import { strict as assert } from 'node:assert';
import { scan } from '../../src/lang/scanner';
import { range } from '../../src/lang/diagnostics';

const kinds = (text: string) => scan(text).tokens.map((t) => t.kind);
const texts = (text: string) => scan(text).tokens.filter((t) => t.kind !== 'eof').map((t) => t.text);

describe('scanner', () => {
  it('reads every number form of the language as one token', () => {
    assert.deepEqual(texts('12 0.5 .5 1e-3 -2.5E+4'), ['12', '0.5', '.5', '1e-3', '-2.5E+4']);
    assert.deepEqual(kinds('12 0.5 .5 1e-3 -2.5E+4'), ['number', 'number', 'number', 'number', 'number', 'eof']);
  });
  it('gives 0-based line/character ranges, counting UTF-16 units', () => {
    const t = scan('a\n  é😀 b').tokens;
    assert.deepEqual(t[0].range, range(0, 0, 0, 1));
    const b = t.find((x) => x.text === 'b')!;
    // `é` is one unit, the emoji two: b starts at character 2 + 1 + 2 + 1 = 6.
    assert.deepEqual(b.range, range(1, 6, 1, 7));
  });
  it('treats \\r\\n, \\n and \\r as one line break each', () => {
    assert.equal(scan('a\r\nb\rc\nd').lineCount, 4);
    assert.deepEqual(scan('a\r\nb').tokens[2].range, range(1, 0, 1, 1));
  });
  it('keeps comments with their #, to the end of the line', () => {
    const t = scan('dense 3 # logits\nrelu').tokens;
    assert.deepEqual(t[2], { kind: 'comment', text: '# logits', range: range(0, 8, 0, 16) });
  });
  it('reads strings with their quotes, and reports one unterminated on its line', () => {
    const r = scan('data "a b.csv"\ndata "open');
    assert.equal(r.tokens[1].text, '"a b.csv"');
    assert.deepEqual(r.diagnostics.map((d) => [d.code, d.range]), [['syntax-unterminated-string', range(1, 5, 1, 10)]]);
  });
  it('merges a run of unknown characters into one token and one diagnostic', () => {
    const r = scan('dense @@@ 3');
    assert.deepEqual(r.diagnostics.map((d) => [d.code, d.range]), [['syntax-unexpected-character', range(0, 6, 0, 9)]]);
    assert.deepEqual(kinds('dense @@@ 3'), ['ident', 'unknown', 'number', 'eof']);
  });
  it('reports an exponent without digits', () => {
    assert.deepEqual(scan('lr=1e').diagnostics.map((d) => [d.code, d.range]), [['syntax-bad-number', range(0, 3, 0, 5)]]);
  });
  it('reads `2elu` as a number and a word, not a broken exponent', () => {
    assert.deepEqual(texts('2elu'), ['2', 'elu']);
  });
  it('never throws and ends in eof, whatever the input', () => {
    for (const junk of ['\u0000\u0001\uffff', '"', '-', '.', '\ud800', '###', '-.e']) {
      const r = scan(junk);
      assert.equal(r.tokens[r.tokens.length - 1].kind, 'eof');
    }
  });
});
