import { strict as assert } from 'node:assert';
import { parse } from '../../src/lang';
import { range } from '../../src/lang/diagnostics';
import { rangeOf } from './helpers';

describe('parser: the statement shape', () => {
  it('reads label, keyword, positionals, options and their exact ranges', () => {
    const text = 'h1: dense 64 relu init=normal(0, 1) bias=false';
    const [s] = parse(text).statements;
    assert.deepEqual(s.label, { text: 'h1', range: range(0, 0, 0, 2) });
    assert.equal(s.keyword.text, 'dense');
    assert.deepEqual(s.args.map((a) => a.kind), ['number', 'ident']);
    assert.deepEqual(s.options.map((o) => o.key.text), ['init', 'bias']);
    const init = s.options[0].value;
    assert.equal(init.kind, 'call');
    if (init.kind === 'call') {
      assert.equal(init.callee.text, 'normal');
      assert.deepEqual(init.args.map((a) => (a.kind === 'number' ? a.value : NaN)), [0, 1]);
      assert.deepEqual(init.range, rangeOf(text, 'normal(0, 1)'));
    }
    assert.deepEqual(s.options[1].value, { kind: 'bool', value: false, range: rangeOf(text, 'false') });
    assert.deepEqual(s.range, range(0, 0, 0, text.length));
  });
  it('separates statements at newlines and `;`', () => {
    const doc = parse('input 2; dense 3\nrelu');
    assert.deepEqual(doc.statements.map((s) => s.keyword.text), ['input', 'dense', 'relu']);
  });
  it('nests blocks and keeps the brace ranges', () => {
    const text = 'repeat 2 {\n  residual {\n    dense 4\n  }\n}';
    const [rep] = parse(text).statements;
    assert.deepEqual(rep.block!.open, range(0, 9, 0, 10));
    assert.deepEqual(rep.block!.close, range(4, 0, 4, 1));
    assert.equal(rep.block!.statements[0].block!.statements[0].keyword.text, 'dense');
    assert.deepEqual(rep.range, range(0, 0, 4, 1));
  });
  it('keeps comments aside with their ranges', () => {
    const doc = parse('# head\ndense 3 # tail');
    assert.deepEqual(doc.comments, [{ text: ' head', range: range(0, 0, 0, 6) }, { text: ' tail', range: range(1, 8, 1, 14) }]);
  });
  it('counts lines', () => {
    assert.equal(parse('a\nb\n').lineCount, 3);
  });
});

describe('parser: recovery — one broken line never hides the rest', () => {
  it('a value missing after `=` is reported there, and the next lines still parse', () => {
    const text = 'optimizer adam lr=\ndense 3\nrelu';
    const doc = parse(text);
    assert.deepEqual(doc.syntaxErrors.map((e) => [e.code, e.range]), [['syntax-expected-value', rangeOf(text, '=')]]);
    assert.deepEqual(doc.statements.map((s) => s.keyword.text), ['optimizer', 'dense', 'relu']);
    assert.equal(doc.statements[0].options[0].value.kind, 'missing');
  });
  it('a statement starting with a number is reported and skipped to the end of its line', () => {
    const text = '42 dense\ndense 3';
    const doc = parse(text);
    assert.deepEqual(doc.syntaxErrors.map((e) => [e.code, e.range]), [['syntax-expected-statement', rangeOf(text, '42')]]);
    assert.deepEqual(doc.statements.map((s) => s.keyword.text), ['dense']);
  });
  it('an unmatched `}` is reported and ignored', () => {
    const text = 'dense 3\n}\nrelu';
    const doc = parse(text);
    assert.deepEqual(doc.syntaxErrors.map((e) => [e.code, e.range]), [['syntax-unmatched-brace', range(1, 0, 1, 1)]]);
    assert.equal(doc.statements.length, 2);
  });
  it('an unclosed `{` is reported on the brace, and its statements are kept', () => {
    const text = 'repeat 3 {\n  dense 4\n  relu\n';
    const doc = parse(text);
    assert.deepEqual(doc.syntaxErrors.map((e) => [e.code, e.range]), [['syntax-unclosed-block', rangeOf(text, '{')]]);
    assert.equal(doc.statements[0].block!.statements.length, 2);
    assert.equal(doc.statements[0].block!.close, undefined);
  });
  it('a label without a layer', () => {
    const text = 'h1:\ndense 3';
    const doc = parse(text);
    assert.deepEqual(doc.syntaxErrors.map((e) => [e.code, e.range]), [['syntax-expected-layer', rangeOf(text, ':')]]);
    assert.equal(doc.statements.length, 1);
  });
  it('an unclosed call', () => {
    const text = 'dense 3 init=normal(0, 1\nrelu';
    const doc = parse(text);
    assert.deepEqual(doc.syntaxErrors.map((e) => e.code), ['syntax-unclosed-paren']);
    assert.equal(doc.statements.length, 2);
  });
  it('a missing comma between call arguments', () => {
    const text = 'dense 3 init=normal(0 1)';
    const doc = parse(text);
    assert.deepEqual(doc.syntaxErrors.map((e) => [e.code, e.range]), [['syntax-expected-comma', rangeOf(text, '0')]]);
  });
  it('errors on several lines are all reported', () => {
    const doc = parse('dense 3 )\nrelu\n= 4\ndense 2 lr=\n');
    assert.deepEqual(doc.syntaxErrors.map((e) => [e.code, e.range.start.line]), [
      ['syntax-unexpected-token', 0],
      ['syntax-expected-statement', 2],
      ['syntax-expected-value', 3],
    ]);
    assert.deepEqual(doc.statements.map((s) => s.keyword.text), ['dense', 'relu', 'dense']);
  });
  it('blocks nested deeper than the limit are skipped with one diagnostic, no stack overflow', () => {
    const text = 'repeat 1 {'.repeat(5000) + '}'.repeat(5000) + '\ndense 3';
    const doc = parse(text);
    assert.deepEqual(doc.syntaxErrors.map((e) => e.code), ['syntax-too-deep']);
    assert.equal(doc.statements[doc.statements.length - 1].keyword.text, 'dense');
  });
});
